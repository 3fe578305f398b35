using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using CrossMedia.Core;

namespace CrossMedia.Index;

/// <summary>
/// Minimal NumPy .npy reader/writer for query and embedding vectors: float32 or float64,
/// little-endian, C order, 1-D (one vector) or 2-D (rows). Anything else is an <see cref="InputException"/>.
/// </summary>
public static partial class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static Matrix Read(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "", "a .npy file", "no such file");
        using var fs = File.OpenRead(path);
        return Read(fs, path);
    }

    public static Matrix Read(Stream stream, string source)
    {
        var pre = new byte[10];
        if (stream.ReadAtLeast(pre, 10, throwOnEndOfStream: false) < 10 || !pre.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InputException(source, "magic", "a NumPy .npy file", "other bytes");
        int major = pre[6];
        int headerLength;
        if (major == 1) headerLength = BinaryPrimitives.ReadUInt16LittleEndian(pre.AsSpan(8));
        else if (major is 2 or 3)
        {
            var more = new byte[2];
            stream.ReadExactly(more);
            headerLength = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian([pre[8], pre[9], more[0], more[1]]), int.MaxValue);
        }
        else throw new InputException(source, "version", "1, 2 or 3", major.ToString());
        if (headerLength > 1 << 16) throw new InputException(source, "header length", "at most 65536", headerLength.ToString());
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerLength, throwOnEndOfStream: false) < headerLength)
            throw new InputException(source, "header", $"{headerLength} bytes", "truncated");
        var header = Encoding.ASCII.GetString(headerBytes);
        var descr = DescrPattern().Match(header);
        var order = OrderPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !shape.Success || !order.Success)
            throw new InputException(source, "header", "{'descr': ..., 'fortran_order': ..., 'shape': (...)}", header.Trim());
        string dtype = descr.Groups[1].Value;
        if (dtype is not ("<f4" or "<f8" or "|f4"))
            throw new InputException(source, "dtype", "float32 or float64 (little-endian)", dtype);
        if (order.Groups[1].Value != "False") throw new InputException(source, "fortran_order", "False", order.Groups[1].Value);
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d, out var v) && v >= 0 ? v : throw new InputException(source, "shape", "non-negative integers", shape.Value)).ToArray();
        if (dims.Length is < 1 or > 2) throw new InputException(source, "shape", "1 or 2 dimensions", $"({shape.Groups[1].Value})");
        long rows = dims.Length == 1 ? 1 : dims[0], cols = dims.Length == 1 ? dims[0] : dims[1];
        int size = dtype.EndsWith('8') ? 8 : 4;
        if (rows * cols > Array.MaxLength || (stream.CanSeek && rows * cols * size > stream.Length - stream.Position))
            throw new InputException(source, "shape", "as many values as the file holds", $"({rows}, {cols})");
        var data = new float[rows * cols];
        var buffer = new byte[Math.Min(1 << 20, Math.Max(size, data.Length * (long)size))];
        long done = 0;
        while (done < data.Length)
        {
            int n = (int)Math.Min(buffer.Length / size, data.Length - done);
            if (stream.ReadAtLeast(buffer, n * size, throwOnEndOfStream: false) < n * size)
                throw new InputException(source, "data", $"{data.Length} values", "truncated");
            for (int i = 0; i < n; i++)
                data[done + i] = size == 4
                    ? BinaryPrimitives.ReadSingleLittleEndian(buffer.AsSpan(i * 4))
                    : (float)BinaryPrimitives.ReadDoubleLittleEndian(buffer.AsSpan(i * 8));
            done += n;
        }
        return new Matrix(data, (int)rows, (int)cols);
    }

    public static void Write(string path, Matrix m) => AtomicFile.Write(path, s =>
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({m.Rows}, {m.Cols}), }}";
        int total = 10 + header.Length + 1;
        header += new string(' ', (64 - total % 64) % 64) + "\n";
        s.Write(Magic);
        s.Write([1, 0]);
        var len = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        s.Write(len);
        s.Write(Encoding.ASCII.GetBytes(header));
        s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(m.Data.AsSpan()));
    });

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex OrderPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
