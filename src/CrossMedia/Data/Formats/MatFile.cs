using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using CrossMedia.Core;

namespace CrossMedia.Data.Formats;

/// <summary>
/// Reads MATLAB .mat files: level-5 files (MATLAB 5.0 up to 7.x, "-v6" and "-v7", the format of
/// most published cross-modal feature files) with a reader written here, because no maintained
/// .NET package reads them; and v7.3 files, which are HDF5, through PureHDF (<see cref="Mat73Reader"/>).
/// <para>
/// Level 5 support: numeric arrays (double, single, int8..int64, uint8..uint64, logical) of any
/// rank, stored in any numeric element type, compressed (miCOMPRESSED, zlib) or not, in little- or
/// big-endian files ('IM' / 'MI' indicator), including the small data element format; char arrays
/// as text. Cell, struct, object, sparse and complex arrays are listed but cannot be read as
/// matrices (a clear error names them). Every count is checked against the bytes actually present
/// before anything is allocated.
/// </para>
/// Format facts from MathWorks' "MAT-File Format" document (level 5 and the HDF5-based 7.3 layout).
/// </summary>
internal static class MatFile
{
    private const int HeaderSize = 128;
    private const uint MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6,
        MiSingle = 7, MiDouble = 9, MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15,
        MiUtf8 = 16, MiUtf16 = 17, MiUtf32 = 18;

    /// <summary>All variables of a .mat file, in file order.</summary>
    public static IReadOnlyList<MatArray> Read(string path)
    {
        long length = DataFile.Require(path, "an existing .mat file");
        if (length > Array.MaxLength) throw new InputException(path, "size", $"at most {Array.MaxLength} bytes", $"{length}");
        if (length < HeaderSize)
            throw new InputException(path, "header", $"a {HeaderSize}-byte MAT-file header", $"{length} bytes (truncated file)");
        var header = new byte[HeaderSize];
        using (var fs = File.OpenRead(path)) fs.ReadExactly(header);
        if (IsVersion73(header)) return Mat73Reader.Read(path, length);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>
    /// One variable. With <paramref name="variable"/> null the file must hold exactly one numeric
    /// variable; the error otherwise lists the variables found.
    /// </summary>
    public static MatArray ReadVariable(string path, string? variable)
    {
        var all = Read(path);
        if (variable is null)
        {
            var numeric = all.Where(a => a.IsNumeric).ToArray();
            if (numeric.Length == 1) return numeric[0];
            throw new InputException(path, "variable", "a variable name (the file holds several numeric variables)",
                numeric.Length == 0 ? "no numeric variable" : string.Join(", ", numeric.Select(a => a.Name)));
        }
        return all.FirstOrDefault(a => a.Name == variable)
            ?? throw new InputException(path, "variable", $"a variable named '{variable}'",
                all.Count == 0 ? "no variables" : string.Join(", ", all.Select(a => a.Name)));
    }

    /// <summary>A numeric variable as a row-major float matrix (see <see cref="MatArray.ToMatrix"/>).</summary>
    public static Matrix ReadMatrix(string path, string? variable) => ReadVariable(path, variable).ToMatrix(path);

    private static bool IsVersion73(byte[] header)
    {
        // The version field at 124 is 0x0200 for 7.3 files (written in the file's byte order).
        bool little = header[126] == (byte)'I' && header[127] == (byte)'M';
        ushort version = little ? BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(124)) : BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(124));
        return version == 0x0200;
    }

    /// <summary>Parses a complete level-5 file held in memory; <paramref name="source"/> names it in errors.</summary>
    internal static IReadOnlyList<MatArray> Parse(byte[] bytes, string source)
    {
        if (bytes.Length < HeaderSize)
            throw new InputException(source, "header", $"a {HeaderSize}-byte MAT-file header", $"{bytes.Length} bytes (truncated file)");
        if (!bytes.AsSpan(0, 6).SequenceEqual("MATLAB"u8))
            throw new InputException(source, "header", "text starting 'MATLAB 5.0 MAT-file' (a level-5 or 7.3 .mat file)",
                InputException.Excerpt(bytes.AsSpan(0, 16)));
        bool big;
        if (bytes[126] == (byte)'I' && bytes[127] == (byte)'M') big = false;
        else if (bytes[126] == (byte)'M' && bytes[127] == (byte)'I') big = true;
        else throw new InputException(source, "endian indicator (bytes 126-127)", "'IM' or 'MI'", InputException.Excerpt(bytes.AsSpan(126, 2)));
        var reader = new Reader(bytes, big, source);
        ushort version = reader.U16(124);
        if (version != 0x0100)
            throw new InputException(source, "version (bytes 124-125)", "0x0100 (level 5) or 0x0200 (7.3)", $"0x{version:X4}");

        var result = new List<MatArray>();
        reader.ReadTopLevel(HeaderSize, bytes.Length, result, allowCompressed: true);
        return result;
    }

    private static int ElementSize(uint type) => type switch
    {
        MiInt8 or MiUInt8 or MiUtf8 => 1,
        MiInt16 or MiUInt16 or MiUtf16 => 2,
        MiInt32 or MiUInt32 or MiSingle or MiUtf32 => 4,
        MiDouble or MiInt64 or MiUInt64 => 8,
        _ => 0,
    };

    private static string ClassName(uint cls, bool logical) => logical ? "logical" : cls switch
    {
        1 => "cell",
        2 => "struct",
        3 => "object",
        4 => "char",
        5 => "sparse",
        6 => "double",
        7 => "single",
        8 => "int8",
        9 => "uint8",
        10 => "int16",
        11 => "uint16",
        12 => "int32",
        13 => "uint32",
        14 => "int64",
        15 => "uint64",
        16 => "function_handle",
        17 => "opaque",
        _ => $"class {cls}",
    };

    /// <summary>Reads elements of one buffer in the file's byte order.</summary>
    private readonly struct Reader(byte[] buffer, bool big, string source)
    {
        public ushort U16(int at) => big ? BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(at)) : BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(at));
        public uint U32(int at) => big ? BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at));

        /// <summary>Reads a tag at <paramref name="at"/>; returns type, data offset, byte count and the next element's offset.</summary>
        public (uint Type, int Data, int Bytes, int Next) Tag(int at, int end, string where)
        {
            if (end - at < 8)
                throw new InputException(source, $"{where} tag at byte {at}", "8 bytes", $"{end - at} bytes (truncated file)");
            uint first = U32(at);
            if ((first >> 16) != 0)
            {
                // Small data element: type and byte count share the first word, data the second.
                uint type = first & 0xFFFF, n = first >> 16;
                if (n > 4) throw new InputException(source, $"{where} at byte {at}", "a small element of at most 4 bytes", $"{n} bytes");
                return (type, at + 4, (int)n, at + 8);
            }
            uint bytes = U32(at + 4);
            long available = end - (at + 8L);
            if (bytes > available)
                throw new InputException(source, $"{where} at byte {at}", $"{bytes} bytes of data", $"{available} bytes left (truncated or corrupt file)");
            // Padding is relative to the element: after a compressed element offsets need not be multiples of 8.
            long next = at + 8L + ((bytes + 7L) & ~7L);
            return (first, at + 8, (int)bytes, (int)Math.Min(next, end));
        }

        public void ReadTopLevel(int at, int end, List<MatArray> result, bool allowCompressed)
        {
            while (at < end)
            {
                // Tolerate zero padding after the last element.
                if (end - at < 8 && buffer.AsSpan(at, end - at).IndexOfAnyExcept((byte)0) < 0) break;
                var (type, data, bytes, _) = Tag(at, end, $"variable {result.Count + 1}");
                int next;
                if (type == MiCompressed && allowCompressed)
                {
                    result.Add(Decompress(data, bytes, result.Count + 1));
                    next = data + bytes; // compressed elements are not padded
                }
                else if (type == MiMatrix)
                {
                    result.Add(ReadMatrix(data, data + bytes, $"variable {result.Count + 1}"));
                    next = (int)Math.Min(end, data + ((bytes + 7L) & ~7L));
                }
                else
                {
                    throw new InputException(source, $"variable {result.Count + 1} at byte {at}",
                        allowCompressed ? "a miMATRIX (14) or miCOMPRESSED (15) element" : "a miMATRIX (14) element", $"element type {type}");
                }
                at = next;
            }
        }

        private MatArray Decompress(int data, int bytes, int index)
        {
            string where = $"variable {index} (compressed stream)";
            byte[] inner;
            try
            {
                using var z = new ZLibStream(new MemoryStream(buffer, data, bytes, writable: false), CompressionMode.Decompress);
                var tag = new byte[8];
                z.ReadExactly(tag);
                var tagReader = new Reader(tag, big, source);
                uint type = tagReader.U32(0);
                if (type != MiMatrix)
                    throw new InputException(source, where, "a miMATRIX (14) element inside", $"element type {type}");
                uint n = tagReader.U32(4);
                long limit = Math.Min(Array.MaxLength - 8L, bytes * DataFile.MaxDeflateRatio + 1024);
                if (n > limit)
                    throw new InputException(source, where, $"at most {limit} decompressed bytes for {bytes} compressed bytes", $"{n} (corrupt size)");
                inner = new byte[8 + n];
                tag.CopyTo(inner, 0);
                z.ReadExactly(inner, 8, (int)n);
            }
            catch (InvalidDataException e)
            {
                throw new InputException(source, where, "a valid zlib stream", $"corrupt data ({e.Message})", e);
            }
            catch (EndOfStreamException e)
            {
                throw new InputException(source, where, "as many decompressed bytes as the element declares", "fewer (truncated stream)", e);
            }
            catch (IOException e)  // zlib's own failure (ZLibException) on a damaged stream
            {
                throw new InputException(source, where, "a valid zlib stream", "corrupt data", e);
            }
            var innerReader = new Reader(inner, big, source);
            return innerReader.ReadMatrix(8, inner.Length, $"variable {index}");
        }

        public MatArray ReadMatrix(int at, int end, string where)
        {
            if (at == end) return new MatArray("", "double", [0, 0], [], null); // an empty element
            var flags = Tag(at, end, $"{where} array flags");
            if (flags.Type != MiUInt32 || flags.Bytes != 8)
                throw new InputException(source, $"{where} array flags", "a miUINT32 element of 8 bytes", $"type {flags.Type} with {flags.Bytes} bytes");
            uint word = U32(flags.Data);
            uint cls = word & 0xFF;
            bool complex = (word & 0x0800) != 0, logical = (word & 0x0200) != 0;

            var dimsTag = Tag(flags.Next, end, $"{where} dimensions");
            if (dimsTag.Type != MiInt32 || dimsTag.Bytes % 4 != 0 || dimsTag.Bytes < 8)
                throw new InputException(source, $"{where} dimensions", "a miINT32 element with at least 2 dimensions", $"type {dimsTag.Type} with {dimsTag.Bytes} bytes");
            var dims = new int[dimsTag.Bytes / 4];
            long count = 1;
            for (int i = 0; i < dims.Length; i++)
            {
                dims[i] = (int)U32(dimsTag.Data + 4 * i);
                if (dims[i] < 0) throw new InputException(source, $"{where} dimension {i + 1}", "a non-negative size", dims[i].ToString());
                count *= dims[i];
                if (count > Array.MaxLength) throw new InputException(source, $"{where} dimensions", $"at most {Array.MaxLength} elements", "more");
            }

            var nameTag = Tag(dimsTag.Next, end, $"{where} name");
            if (nameTag.Type != MiInt8 && nameTag.Type != MiUInt8)
                throw new InputException(source, $"{where} name", "a miINT8 element", $"type {nameTag.Type}");
            string name = Encoding.ASCII.GetString(buffer, nameTag.Data, nameTag.Bytes).TrimEnd('\0');
            string label = $"variable {InputException.Excerpt(name)}";
            string className = ClassName(cls, logical);

            if (cls is < 4 or 5 or > 15) return new MatArray(name, className, dims, null, null);
            if (complex) return new MatArray(name, "complex " + className, dims, null, null);

            var real = Tag(nameTag.Next, end, $"{label} data");
            if (cls == 4) return new MatArray(name, "char", dims, null, ReadText(real, dims, count, label));

            int size = ElementSize(real.Type);
            if (size == 0 || real.Type is MiUtf8 or MiUtf16 or MiUtf32)
                throw new InputException(source, $"{label} data", "a numeric element type", $"type {real.Type}");
            if (real.Bytes != count * size)
                throw new InputException(source, $"{label} data", $"{count} values ({string.Join("×", dims)}) of {size} bytes = {count * size} bytes",
                    $"{real.Bytes} bytes");
            var values = new double[count];
            var span = buffer.AsSpan(real.Data, real.Bytes);
            for (int i = 0; i < values.Length; i++) values[i] = Value(span, real.Type, i);
            return new MatArray(name, className, dims, values, null);
        }

        private string ReadText((uint Type, int Data, int Bytes, int Next) data, int[] dims, long count, string label)
        {
            string chars = data.Type switch
            {
                MiUInt16 or MiUtf16 or MiInt16 => big ? Encoding.BigEndianUnicode.GetString(buffer, data.Data, data.Bytes) : Encoding.Unicode.GetString(buffer, data.Data, data.Bytes),
                MiUInt8 or MiInt8 or MiUtf8 => Encoding.UTF8.GetString(buffer, data.Data, data.Bytes),
                _ => throw new InputException(source, $"{label} data", "character data (miUINT16, miUTF8 or miUTF16)", $"type {data.Type}"),
            };
            if (chars.Length != count)
                throw new InputException(source, $"{label} data", $"{count} characters ({string.Join("×", dims)})", $"{chars.Length}");
            // Column-major rows×cols: row i is chars[i + rows*j].
            int rows = dims[0], cols = rows == 0 ? 0 : (int)(count / rows);
            var lines = new string[rows];
            for (int i = 0; i < rows; i++)
            {
                var line = new char[cols];
                for (int j = 0; j < cols; j++) line[j] = chars[i + rows * j];
                lines[i] = new string(line);
            }
            return string.Join('\n', lines);
        }

        private double Value(ReadOnlySpan<byte> s, uint type, int i) => type switch
        {
            MiInt8 => (sbyte)s[i],
            MiUInt8 => s[i],
            MiInt16 => (short)U16At(s, i * 2),
            MiUInt16 => U16At(s, i * 2),
            MiInt32 => (int)U32At(s, i * 4),
            MiUInt32 => U32At(s, i * 4),
            MiSingle => BitConverter.Int32BitsToSingle((int)U32At(s, i * 4)),
            MiDouble => BitConverter.Int64BitsToDouble((long)U64At(s, i * 8)),
            MiInt64 => (long)U64At(s, i * 8),
            MiUInt64 => U64At(s, i * 8),
            _ => throw new InvalidOperationException("checked by ElementSize"),
        };

        private ushort U16At(ReadOnlySpan<byte> s, int at) => big ? BinaryPrimitives.ReadUInt16BigEndian(s[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);
        private uint U32At(ReadOnlySpan<byte> s, int at) => big ? BinaryPrimitives.ReadUInt32BigEndian(s[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);
        private ulong U64At(ReadOnlySpan<byte> s, int at) => big ? BinaryPrimitives.ReadUInt64BigEndian(s[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);
    }
}
