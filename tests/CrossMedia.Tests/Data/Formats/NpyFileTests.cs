using System.Buffers.Binary;
using System.Text;
using CrossMedia.Core;
using CrossMedia.Data.Formats;

namespace CrossMedia.Tests.Data.Formats;

public class NpyFileTests
{
    // Made with /usr/bin/python3 (numpy 1.24):
    //   f = io.BytesIO(); np.save(f, ARRAY); base64.b64encode(f.getvalue())
    // with ARRAY = np.array([[1.5, -2, 3], [4, 5, 6.25]], dtype='<f4')
    private const string NumpyF4 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAAwAAAQEAAAIBAAACgQAAAyEA=";
    // np.array([7, -1, 300], dtype='>i8')
    private const string NumpyI8BigEndian = "k05VTVBZAQB2AHsnZGVzY3InOiAnPmk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAB///////////AAAAAAAAASw=";
    // np.asfortranarray(np.array([[1, 2, 3], [4, 5, 6]], dtype='<f8'))
    private const string NumpyF8Fortran = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwPwAAAAAAABBAAAAAAAAAAEAAAAAAAAAUQAAAAAAAAAhAAAAAAAAAGEA=";
    // np.array([1, 65535], dtype='<u2')
    private const string NumpyU2 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPHUyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAP//";

    private static NpyArray ReadBytes(byte[] bytes) => NpyFile.Read(new MemoryStream(bytes), bytes.Length, "test.npy");

    /// <summary>An .npy file built by hand from a header dict (independent of the writer).</summary>
    internal static byte[] Build(int major, string dict, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(dict + "\n");
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        if (major == 1) { var l = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(l, (ushort)header.Length); ms.Write(l); }
        else { var l = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(l, (uint)header.Length); ms.Write(l); }
        ms.Write(header);
        ms.Write(data);
        return ms.ToArray();
    }

    [Fact]
    public void Read_Should_DecodeNumpyWrittenFiles()
    {
        var f4 = ReadBytes(Convert.FromBase64String(NumpyF4));
        Assert.Equal([2, 3], f4.Shape);
        Assert.Equal(new float[] { 1.5f, -2, 3, 4, 5, 6.25f }, (float[])f4.Data);
        var i8 = ReadBytes(Convert.FromBase64String(NumpyI8BigEndian));
        Assert.Equal(new NpyDType(NpyKind.Int, 8, true), i8.DType);
        Assert.Equal(new long[] { 7, -1, 300 }, (long[])i8.Data);
        Assert.Equal([7, -1, 300], i8.ToLabels("x"));
        var f8 = ReadBytes(Convert.FromBase64String(NumpyF8Fortran));
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, (double[])f8.Data);
        Assert.Equal(6f, f8.ToMatrix("x")[1, 2]);
        Assert.Equal(new long[] { 1, 65535 }, (long[])ReadBytes(Convert.FromBase64String(NumpyU2)).Data);
    }

    public static TheoryData<string, byte[], double[]> Dtypes() => new()
    {
        { "<i1", [0xFF, 0x05], [-1, 5] },
        { "|u1", [0xFF, 0x05], [255, 5] },
        { "<i2", [0xFE, 0xFF, 0x00, 0x01], [-2, 256] },
        { ">i4", [0xFF, 0xFF, 0xFF, 0xFD, 0x00, 0x00, 0x01, 0x00], [-3, 256] },
        { "<u4", [0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x00, 0x00, 0x00], [4294967295, 2] },
        { "<u8", [0x01, 0, 0, 0, 0, 0, 0, 0x80, 0x02, 0, 0, 0, 0, 0, 0, 0], [9223372036854775809.0, 2] },
        { ">f4", [0x3F, 0xC0, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00], [1.5, -2] },
        { ">f8", [0x3F, 0xF8, 0, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0], [1.5, -2] },
        { ">i8", [0, 0, 0, 0, 0, 0, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [256, -1] },
        { "|b1", [0x01, 0x00], [1, 0] },
    };

    [Theory]
    [MemberData(nameof(Dtypes))]
    public void Read_Should_DecodeEveryDtypeAndByteOrder(string descr, byte[] data, double[] expected)
    {
        foreach (var major in new[] { 1, 2, 3 })
        {
            var a = ReadBytes(Build(major, $"{{'descr': '{descr}', 'fortran_order': False, 'shape': (2,), }}", data));
            Assert.Equal(expected, Enumerable.Range(0, a.Count).Select(a.GetDouble));
        }
    }

    [Fact]
    public void Read_Should_TransposeFortranOrderIntegers()
    {
        // (2, 3) Fortran order stores columns: [1 4] [2 5] [3 6].
        var data = new byte[] { 1, 4, 2, 5, 3, 6 };
        var a = ReadBytes(Build(1, "{'descr': '|i1', 'fortran_order': True, 'shape': (2, 3)}", data));
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6 }, (long[])a.Data);
    }

    [Fact]
    public void Write_Should_RoundTripAndBeAligned()
    {
        var dir = Directory.CreateTempSubdirectory("npy");
        try
        {
            var m = new Matrix([1, 2, 3, 4, 5, 6.5f], 3, 2);
            var path = Path.Combine(dir.FullName, "m.npy");
            NpyFile.Write(path, m);
            var bytes = File.ReadAllBytes(path);
            int headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
            Assert.Equal(0, (10 + headerLen) % 64);
            Assert.Equal("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", Encoding.ASCII.GetString(bytes, 10, headerLen).TrimEnd());
            var back = NpyFile.Read(path).ToMatrix(path);
            Assert.Equal(m.Data, back.Data);
            Assert.Equal((3, 2), (back.Rows, back.Cols));

            NpyFile.Write(path, new long[] { 5, -7, long.MaxValue });
            Assert.Equal(new long[] { 5, -7, long.MaxValue }, (long[])NpyFile.Read(path).Data);
            NpyFile.Write(path, new[] { 3, -1 });
            var ints = NpyFile.Read(path);
            Assert.Equal("<i4", ints.DType.Descr);
            Assert.Equal([3, -1], ints.ToLabels(path));
            Assert.Single(Directory.GetFiles(dir.FullName));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void ToLabels_Should_AcceptIntegralFloatsAndRejectFractions()
    {
        var ok = ReadBytes(Build(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", [.. BitConverter.GetBytes(2.0), .. BitConverter.GetBytes(-4.0)]));
        Assert.Equal([2, -4], ok.ToLabels("x"));
        var bad = ReadBytes(Build(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", [.. BitConverter.GetBytes(2.0), .. BitConverter.GetBytes(0.5)]));
        var e = Assert.Throws<InputException>(() => bad.ToLabels("x"));
        Assert.Equal("element 1", e.Field);
    }

    public static TheoryData<string, byte[], string> Corrupt() => new()
    {
        { "short", [0x93, (byte)'N'], "header" },
        { "magic", Encoding.ASCII.GetBytes("PK\u0003\u0004 this is not a numpy file"), "magic" },
        { "version", Build(4, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", new byte[4]), "version" },
        { "header length", Build(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", new byte[4])[..20], "header" },
        { "dict", Build(1, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}", new byte[4]), "header" },
        { "missing key", Build(1, "{'descr': '<f4', 'shape': (1,)}", new byte[4]), "header" },
        { "dtype", Build(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", new byte[8]), "descr" },
        { "structured", Build(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", new byte[4]), "descr" },
        { "3-D", Build(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1)}", new byte[4]), "shape" },
        { "truncated", Build(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", new byte[20]), "data" },
        { "huge", Build(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000)}", new byte[8]), "shape" },
    };

    [Theory]
    [MemberData(nameof(Corrupt))]
    public void Read_Should_RejectCorruptFilesWithInputException(string name, byte[] bytes, string field)
    {
        var e = Assert.Throws<InputException>(() => ReadBytes(bytes));
        Assert.True(e.Field == field, $"{name}: {e.Message}");
        Assert.StartsWith("test.npy", e.Message);
    }

    [Fact]
    public void ToMatrix_Should_RejectOneDimensionalArrays()
    {
        var a = ReadBytes(Convert.FromBase64String(NumpyI8BigEndian));
        var e = Assert.Throws<InputException>(() => a.ToMatrix("labels.npy"));
        Assert.Contains("2-D", e.Message);
    }
}
