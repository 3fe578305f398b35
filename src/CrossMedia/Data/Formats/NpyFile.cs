using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using CrossMedia.Core;

namespace CrossMedia.Data.Formats;

/// <summary>
/// NumPy .npy files (format versions 1.0, 2.0 and 3.0). Reading accepts the simple dtypes of
/// <see cref="NpyDType"/> in either byte order, C or Fortran order, 1-D and 2-D; the header is
/// validated against the file length before anything is allocated. Writing produces version 1.0
/// files (2.0 if the header would not fit), atomically.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int MaxHeader = 1 << 20;
    // Values move in slices: a byte span cannot cover more than 2 GiB, an array (and a Matrix) can.
    private const int ValueSlice = 1 << 20;

    public static NpyArray Read(string path)
    {
        DataFile.Require(path, "an existing .npy file");
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Read(fs, fs.Length, path);
    }

    /// <summary>Reads one array from <paramref name="stream"/>, which holds <paramref name="length"/> bytes; <paramref name="source"/> names it in errors.</summary>
    public static NpyArray Read(Stream stream, long length, string source)
    {
        var prefix = new byte[10];
        if (length < 10 || ReadUpTo(stream, prefix) < 10)
            throw new InputException(source, "header", "a NumPy file (at least 10 bytes)", $"{length} bytes");
        if (!prefix.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InputException(source, "magic", "the NumPy magic \\x93NUMPY", InputException.Excerpt(prefix.AsSpan(0, 6)));
        int major = prefix[6], minor = prefix[7];
        if (major is not (1 or 2 or 3) || minor != 0)
            throw new InputException(source, "version", "format version 1.0, 2.0 or 3.0", $"{major}.{minor}");
        long headerLength;
        int fixedPart;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(8));
            fixedPart = 10;
        }
        else
        {
            var more = new byte[2];
            if (ReadUpTo(stream, more) < 2) throw new InputException(source, "header", "a 12-byte prefix", "end of file");
            headerLength = BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], more[0], more[1]]);
            fixedPart = 12;
        }
        if (headerLength > MaxHeader || fixedPart + headerLength > length)
            throw new InputException(source, "header", $"a header within the file's {length} bytes", $"a header length of {headerLength}");
        var headerBytes = new byte[headerLength];
        if (ReadUpTo(stream, headerBytes) < headerLength)
            throw new InputException(source, "header", $"{headerLength} header bytes", "end of file");
        string header;
        try
        {
            header = major == 3 ? new UTF8Encoding(false, true).GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InputException(source, "header", "UTF-8 text", "invalid bytes");
        }
        var (descr, fortran, shape) = ParseHeader(header, source);
        var dtype = NpyDType.Parse(descr)
            ?? throw new InputException(source, "descr", "one of <f4 <f8 <i1..<i8 <u1..<u8 |b1 (either byte order)", InputException.Excerpt(descr));
        if (shape.Length is not (1 or 2))
            throw new InputException(source, "shape", "a 1-D or 2-D array", $"{shape.Length}-D shape ({string.Join(", ", shape)})");
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0 || d > int.MaxValue) throw new InputException(source, "shape", "non-negative dimensions", $"({string.Join(", ", shape)})");
            count = d == 0 ? 0 : count > Array.MaxLength / d ? long.MaxValue : count * d;
        }
        if (count > Array.MaxLength) throw new InputException(source, "shape", $"at most {Array.MaxLength} elements", $"({string.Join(", ", shape)})");
        long dataBytes = count * dtype.ItemSize, available = length - fixedPart - headerLength;
        if (dataBytes > available)
            throw new InputException(source, "data", $"{dataBytes} bytes for shape ({string.Join(", ", shape)}) of {dtype.Descr}", $"{available} bytes (truncated file)");

        var data = ReadData(stream, dtype, (int)count, source);
        var dims = shape.Select(d => (int)d).ToArray();
        if (fortran && dims.Length == 2 && dims[0] > 1 && dims[1] > 1) data = Transpose(data, dims[0], dims[1]);
        return new NpyArray(dims, dtype, data);
    }

    /// <summary>Writes a float32 matrix as a 2-D '&lt;f4' array.</summary>
    public static void Write(string path, Matrix matrix) => Write(path, NpyDType.Float32, [matrix.Rows, matrix.Cols], matrix.Data);

    /// <summary>Writes a 1-D '&lt;i8' array.</summary>
    public static void Write(string path, long[] values) => Write(path, NpyDType.Int64, [values.Length], values);

    /// <summary>Writes a 1-D '&lt;i4' array.</summary>
    public static void Write(string path, int[] values) => Write(path, NpyDType.Int32, [values.Length], values);

    private static void Write<T>(string path, NpyDType dtype, int[] shape, T[] values) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("writing .npy needs a little-endian machine");
        AtomicFile.Write(path, s => WriteTo<T>(s, dtype, shape, values));
    }

    internal static void WriteTo<T>(Stream s, NpyDType dtype, int[] shape, ReadOnlySpan<T> values) where T : unmanaged
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string dict = $"{{'descr': '{dtype.Descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Pad with spaces so the data starts on a 64-byte boundary; the header ends with '\n'.
        int fixedPart = dict.Length + 1 > ushort.MaxValue - 64 ? 12 : 10;
        int total = (fixedPart + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - fixedPart - 1) + "\n";
        s.Write(Magic);
        s.WriteByte(fixedPart == 10 ? (byte)1 : (byte)2);
        s.WriteByte(0);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)header.Length);
        s.Write(len[..(fixedPart - 8)]);
        s.Write(Encoding.Latin1.GetBytes(header));
        for (int i = 0; i < values.Length; i += ValueSlice)
            s.Write(MemoryMarshal.AsBytes(values.Slice(i, Math.Min(ValueSlice, values.Length - i))));
    }

    private static Array ReadData(Stream stream, NpyDType dtype, int count, string source)
    {
        switch (dtype.Kind, dtype.ItemSize)
        {
            case (NpyKind.Float, 4):
            {
                var f = new float[count];
                ReadValues(stream, f.AsSpan(), source);
                if (dtype.BigEndian) BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(f.AsSpan()), MemoryMarshal.Cast<float, int>(f.AsSpan()));
                return f;
            }
            case (NpyKind.Float, 8):
            {
                var d = new double[count];
                ReadValues(stream, d.AsSpan(), source);
                if (dtype.BigEndian) BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<double, long>(d.AsSpan()), MemoryMarshal.Cast<double, long>(d.AsSpan()));
                return d;
            }
            case (NpyKind.Bool, _):
            {
                var bytes = new byte[count];
                ReadExactly(stream, bytes, source);
                return bytes.Select(b => b != 0).ToArray();
            }
            case (NpyKind.UInt, 8):
            {
                var u = new ulong[count];
                ReadValues(stream, u.AsSpan(), source);
                if (dtype.BigEndian) BinaryPrimitives.ReverseEndianness(u, u);
                return u;
            }
            default:
                return ReadIntegers(stream, dtype, count, source);
        }
    }

    private static long[] ReadIntegers(Stream stream, NpyDType dtype, int count, string source)
    {
        var result = new long[count];
        int size = dtype.ItemSize;
        bool signed = dtype.Kind == NpyKind.Int, big = dtype.BigEndian;
        var buffer = new byte[Math.Min((long)count * size, 1 << 20) is var b && b > 0 ? (int)b : 1];
        int done = 0;
        while (done < count)
        {
            int n = Math.Min(count - done, buffer.Length / size);
            var chunk = buffer.AsSpan(0, n * size);
            ReadExactly(stream, chunk, source);
            for (int i = 0; i < n; i++)
            {
                var e = chunk.Slice(i * size, size);
                result[done + i] = (size, signed) switch
                {
                    (1, true) => (sbyte)e[0],
                    (1, false) => e[0],
                    (2, true) => big ? BinaryPrimitives.ReadInt16BigEndian(e) : BinaryPrimitives.ReadInt16LittleEndian(e),
                    (2, false) => big ? BinaryPrimitives.ReadUInt16BigEndian(e) : BinaryPrimitives.ReadUInt16LittleEndian(e),
                    (4, true) => big ? BinaryPrimitives.ReadInt32BigEndian(e) : BinaryPrimitives.ReadInt32LittleEndian(e),
                    (4, false) => big ? BinaryPrimitives.ReadUInt32BigEndian(e) : BinaryPrimitives.ReadUInt32LittleEndian(e),
                    _ => big ? BinaryPrimitives.ReadInt64BigEndian(e) : BinaryPrimitives.ReadInt64LittleEndian(e),
                };
            }
            done += n;
        }
        return result;
    }

    private static Array Transpose(Array data, int rows, int cols)
    {
        // Fortran order stores element (i, j) at j·rows + i.
        var result = Array.CreateInstance(data.GetType().GetElementType()!, data.Length);
        switch (data)
        {
            case float[] f: { var r = (float[])result; for (int j = 0; j < cols; j++) for (int i = 0; i < rows; i++) r[i * cols + j] = f[j * rows + i]; break; }
            case double[] d: { var r = (double[])result; for (int j = 0; j < cols; j++) for (int i = 0; i < rows; i++) r[i * cols + j] = d[j * rows + i]; break; }
            default: for (int j = 0; j < cols; j++) for (int i = 0; i < rows; i++) result.SetValue(data.GetValue(j * rows + i), i * cols + j); break;
        }
        return result;
    }

    /// <summary>Fills <paramref name="values"/> from the stream, slice by slice.</summary>
    private static void ReadValues<T>(Stream stream, Span<T> values, string source) where T : unmanaged
    {
        for (int i = 0; i < values.Length; i += ValueSlice)
            ReadExactly(stream, MemoryMarshal.AsBytes(values.Slice(i, Math.Min(ValueSlice, values.Length - i))), source);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source)
    {
        int read = ReadUpTo(stream, buffer);
        if (read < buffer.Length)
            throw new InputException(source, "data", $"{buffer.Length} more bytes", $"{read} (truncated file)");
    }

    private static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>Parses the header dict, e.g. {'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }.</summary>
    internal static (string Descr, bool Fortran, long[] Shape) ParseHeader(string header, string source)
    {
        var p = new HeaderParser(header, source);
        string? descr = null;
        bool? fortran = null;
        long[]? shape = null;
        p.Expect('{');
        while (!p.TryConsume('}'))
        {
            string key = p.String();
            p.Expect(':');
            switch (key)
            {
                case "descr":
                    if (p.Peek() != '\'' && p.Peek() != '"')
                        throw new InputException(source, "descr", "a simple dtype string", "a structured dtype");
                    descr = p.String();
                    break;
                case "fortran_order": fortran = p.Bool(); break;
                case "shape": shape = p.Tuple(); break;
                default: throw new InputException(source, "header", "only the keys descr, fortran_order, shape", InputException.Excerpt(key));
            }
            if (!p.TryConsume(',')) { p.Expect('}'); break; }
        }
        if (descr is null || fortran is null || shape is null)
            throw new InputException(source, "header", "the keys descr, fortran_order and shape", InputException.Excerpt(header.Trim()));
        return (descr, fortran.Value, shape);
    }

    private sealed class HeaderParser(string text, string source)
    {
        private int _pos;

        private void SkipSpace() { while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++; }

        public char Peek() { SkipSpace(); return _pos < text.Length ? text[_pos] : '\0'; }

        public bool TryConsume(char c) { if (Peek() != c) return false; _pos++; return true; }

        public void Expect(char c)
        {
            if (!TryConsume(c)) throw Error($"'{c}'");
        }

        private InputException Error(string expected) =>
            new(source, "header", $"{expected} at character {_pos} of a NumPy header dict",
                _pos < text.Length ? InputException.Excerpt(text[_pos..]) : "end of header");

        public string String()
        {
            char q = Peek();
            if (q is not ('\'' or '"')) throw Error("a quoted string");
            int end = text.IndexOf(q, _pos + 1);
            if (end < 0) throw Error("a closing quote");
            var s = text.Substring(_pos + 1, end - _pos - 1);
            _pos = end + 1;
            return s;
        }

        public bool Bool()
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _pos, "True", 0, 4) == 0) { _pos += 4; return true; }
            if (string.CompareOrdinal(text, _pos, "False", 0, 5) == 0) { _pos += 5; return false; }
            throw Error("True or False");
        }

        public long[] Tuple()
        {
            Expect('(');
            var dims = new List<long>();
            while (!TryConsume(')'))
            {
                SkipSpace();
                int start = _pos;
                while (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] == 'L')) _pos++;
                var token = text[start.._pos].TrimEnd('L');
                if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out long d)) throw Error("a dimension");
                dims.Add(d);
                if (!TryConsume(',')) { Expect(')'); break; }
            }
            return dims.ToArray();
        }
    }
}
