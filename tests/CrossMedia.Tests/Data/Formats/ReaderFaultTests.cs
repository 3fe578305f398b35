using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using CrossMedia.Data.Formats;
using PureHDF;

namespace CrossMedia.Tests.Data.Formats;

/// <summary>Data files that are valid but large, lie about their sizes, or are not files at all.</summary>
public class ReaderFaultTests
{
    /// <summary>
    /// An .npy stream of <paramref name="dataLength"/> data bytes after <paramref name="header"/> that
    /// leaves the reader's buffer untouched except at the marked offsets: the reader fills a fresh,
    /// zeroed array, so this reads as zeros without the test writing (or keeping) gigabytes.
    /// </summary>
    private sealed class SparseStream(byte[] header, long dataLength, Dictionary<long, byte[]> marks) : Stream
    {
        private long _pos;
        public override long Length => header.Length + dataLength;
        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, Length - _pos);
            for (int i = 0; i < n && _pos + i < header.Length; i++) buffer[i] = header[_pos + i];
            foreach (var (at, bytes) in marks)
            {
                long offset = header.Length + at - _pos;
                if (offset >= 0 && offset + bytes.Length <= n) bytes.CopyTo(buffer[(int)offset..]);
            }
            _pos += n;
            return n;
        }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Position { get => _pos; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static byte[] Float(float v) { var b = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, v); return b; }

    [Fact]
    public void NpyRead_Should_ReadAFloatArrayOfTwoGiB()
    {
        // 2^28 × 2 float32 = 2^31 bytes, one more than a byte span can hold: it threw OverflowException.
        const int rows = 1 << 28;
        var header = NpyFileTests.Build(1, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, 2), }}", []);
        long bytes = 2L * rows * 4;
        var marks = new Dictionary<long, byte[]> { [0] = Float(1.5f), [bytes / 2 + 4] = Float(7f), [bytes - 4] = Float(-2.5f) };
        var array = NpyFile.Read(new SparseStream(header, bytes, marks), header.Length + bytes, "big.npy");
        var m = array.ToMatrix("big.npy");
        Assert.Equal((rows, 2), (m.Rows, m.Cols));
        Assert.Equal(1.5f, m[0, 0]);
        Assert.Equal(7f, m[rows / 2, 1]);
        Assert.Equal(-2.5f, m[rows - 1, 1]);
        Assert.Equal(0f, m[rows - 1, 0]);
    }

    [Fact]
    public void NpzRead_Should_RefuseAnEntryClaimingMoreThanItsCompressedBytesCanHold()
    {
        // A 700M-float array whose zip headers claim its 2.8 GB; the archive holds a few hundred bytes.
        var npy = NpyFileTests.Build(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (700000000,), }", new byte[64]);
        long claimed = npy.Length - 64 + 2_800_000_000L;
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        using (var s = zip.CreateEntry("x.npy", CompressionLevel.Optimal).Open())
            s.Write(npy);
        var bytes = ms.ToArray();
        // Patch the uncompressed size in the local header (offset 22) and the central directory entry (offset 24).
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(22), (uint)claimed);
        int central = bytes.AsSpan().IndexOf("PK\x01\x02"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(central + 24), (uint)claimed);
        using var dir = new TempDir();
        var path = dir.File("claim.npz", bytes);

        var e = Assert.Throws<InputException>(() => NpzFile.Read(path));
        Assert.Equal($"{path}:x.npy", e.Location);
        Assert.Equal("size", e.Field);
        Assert.Contains("2800000", e.Found);
        Assert.Throws<InputException>(() => MatrixFile.Read(path, "x"));
    }

    private static string WriteMat73(TempDir dir, string name, H5File file) => dir.File(name, Mat73Builder.Build(file));

    [Fact]
    public void Mat73Read_Should_ReadAnEmptyMatrixAndRefuseAnEmptyMarkerOnNonEmptyDimensions()
    {
        using var dir = new TempDir();
        var ok = WriteMat73(dir, "empty.mat", new H5File
        {
            ["E"] = Mat73Builder.Variable(new ulong[] { 0, 3 }, "double", empty: true),
            ["A"] = Mat73Builder.Variable(new double[,] { { 1, 2, 3 } }, "double"),
        });
        var vars = MatFile.Read(ok).ToDictionary(v => v.Name);
        Assert.Equal([0, 3], vars["E"].Dimensions);
        var m = vars["E"].ToMatrix(ok);
        Assert.Equal((0, 3), (m.Rows, m.Cols));
        Assert.Equal([3, 1], vars["A"].Dimensions);

        // MATLAB_empty on stored dimensions [5, 3]: the reader promised 15 values it did not have.
        var bad = WriteMat73(dir, "lying.mat", new H5File { ["E"] = Mat73Builder.Variable(new ulong[] { 5, 3 }, "double", empty: true) });
        var e = Assert.Throws<InputException>(() => MatFile.ReadMatrix(bad, "E"));
        Assert.Equal((bad, "E"), (e.Location, e.Field));
        Assert.Equal("[5, 3]", e.Found);
    }

    [Fact]
    public void Mat73Read_Should_RefuseADatasetDeclaringFarMoreThanTheFileHolds()
    {
        // 2^28 doubles (2 GiB) declared in chunks that were never written: the file is a few KB.
        using var dir = new TempDir();
        var d = new H5Dataset<double[]>(fileDims: [1UL << 28], chunks: [1U << 22],
            datasetCreation: new PureHDF.VOL.Native.H5DatasetCreation(Filters: [PureHDF.Filters.DeflateFilter.Id]));
        d.Attributes["MATLAB_class"] = "double";
        var hdf5 = new MemoryStream();
        using (new H5File { ["X"] = d }.BeginWrite(hdf5)) { } // no chunk is ever written
        var path = dir.File("sparse.mat", Mat73Builder.WithHeader(hdf5.ToArray()));
        Assert.True(new FileInfo(path).Length < 8 * 1024, $"{new FileInfo(path).Length} bytes");

        var e = Assert.Throws<InputException>(() => MatFile.Read(path));
        Assert.Equal((path, "X"), (e.Location, e.Field));
        Assert.Contains("268435456 values declared", e.Found);
    }

    [Fact]
    public void Mat73Read_Should_NameADamagedFileInPlainWords()
    {
        using var dir = new TempDir();
        var bytes = Mat73Builder.Build(new H5File { ["A"] = Mat73Builder.Variable(new double[,] { { 1, 2 }, { 3, 4 } }, "double") });
        // Everything after the superblock's signature and version replaced by a fixed pattern.
        for (int i = 512 + 9; i < bytes.Length; i++) bytes[i] = (byte)(i * 37);
        var path = dir.File("damaged.mat", bytes);
        var e = Assert.Throws<InputException>(() => MatFile.Read(path));
        Assert.Equal(path, e.Location);
        Assert.Equal("a valid MATLAB v7.3 (HDF5) file", e.Expected);
        Assert.DoesNotContain("Specified method", e.Found);
        Assert.True(e.Found.Length <= 80, e.Found);
    }

    private static void MakeFifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void Readers_Should_RefuseWhatIsNotARegularFileBeforeOpeningIt()
    {
        using var dir = new TempDir();
        // Each of these hung (a FIFO blocks its open, /dev/zero never ends) or threw IOException (a loop).
        var fifo = Path.Combine(dir.Path, "features.npy");
        MakeFifo(fifo);
        var zero = Path.Combine(dir.Path, "zero.csv");
        File.CreateSymbolicLink(zero, "/dev/zero");
        var loop = Path.Combine(dir.Path, "loop.mat");
        File.CreateSymbolicLink(loop, loop);
        var folder = Directory.CreateDirectory(Path.Combine(dir.Path, "folder.npz")).FullName;

        foreach (var (path, found) in new[] { (fifo, "named pipe"), (zero, "character device"), (loop, "symbolic link loop"), (folder, "a directory") })
        {
            var e = Assert.Throws<InputException>(() => MatrixFile.Read(path));
            Assert.Equal(path, e.Location);
            Assert.Contains(found, e.Found);
        }
        Assert.Contains("named pipe", Assert.Throws<InputException>(() => NpyFile.Read(fifo)).Found);
        Assert.Contains("character device", Assert.Throws<InputException>(() => ListFile.Read(zero)).Found);
        Assert.Contains("character device", Assert.Throws<InputException>(() => WordVectors.Read("/dev/zero")).Found);
        Assert.Equal("no such file", Assert.Throws<InputException>(() => MatFile.Read(Path.Combine(dir.Path, "none.mat"))).Found);
        Assert.Equal(3, DataFile.Require(dir.File("ok.txt", "abc"), "a file"));
    }
}
