using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using CrossMedia.Media;
using SkiaSharp;

namespace CrossMedia.Bench.Fuzz;

/// <summary>A valid seed file: its name, bytes, size fields for huge-value mutations, and whether it is text.</summary>
public sealed record Seed(string FileName, byte[] Bytes, IReadOnlyList<SizeField> Fields, bool Text);

/// <summary>
/// Writers of small valid files in every format CrossMedia reads, written here from the format
/// descriptions (NumPy's .npy/.npz, MathWorks' level-5 MAT layout, PNG/JPEG/GIF/BMP/WebP through
/// SkiaSharp, WAV through the library's writer, delimited text) so the bench does not depend on the tests.
/// </summary>
public static class SeedFiles
{
    private static readonly string[] NpyDescrs = ["<f4", ">f4", "<f8", ">f8", "<i1", "|u1", "<i2", ">i2", "<u2", "<i4", ">i4", "<u4", "<i8", ">i8", "<u8", ">u8", "|b1"];

    /// <summary>A 1-D or 2-D .npy array of a random dtype, byte order, memory order and format version.</summary>
    public static Seed Npy(Random rng, string name = "data.npy")
    {
        var descr = rng.Pick(NpyDescrs);
        int rows = rng.Next(0, 9), cols = 1 + rng.Next(6);
        bool oneD = rng.Chance(0.3);
        long[] shape = oneD ? [rows] : [rows, cols];
        string shapeText = oneD ? $"({rows},)" : $"({rows}, {cols})";
        if (rng.Chance(0.12))
            shapeText = rng.Pick(new[] { "(4294967296, 4294967296)", "(99999999999,)", "(2147483647, 2)", "(1000000, 1000000)", "(-1, 3)", "(3, 0)", "(0,)", "()", "(2, 3, 4)" });
        var data = NpyData(rng, descr, oneD ? rows : rows * cols);
        int version = rng.Pick(new[] { 1, 1, 1, 2, 3 });
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(rng.Chance(0.3) ? "True" : "False")}, 'shape': {shapeText}, }}";
        int fixedPart = version == 1 ? 10 : 12;
        int total = (fixedPart + dict.Length + 1 + 63) / 64 * 64;
        var header = Encoding.Latin1.GetBytes(dict.PadRight(total - fixedPart - 1) + "\n");
        var b = new List<byte>([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0]);
        if (version == 1) b.AddRange(BitConverter.GetBytes((ushort)header.Length));
        else b.AddRange(BitConverter.GetBytes((uint)header.Length));
        b.AddRange(header);
        b.AddRange(data);
        _ = shape;
        return new Seed(name, b.ToArray(), [new SizeField(8, version == 1 ? 2 : 4, false)], false);
    }

    private static byte[] NpyData(Random rng, string descr, int count)
    {
        bool big = descr[0] == '>';
        int size = descr[2] - '0';
        var b = new byte[count * size];
        for (int i = 0; i < count; i++)
        {
            var e = b.AsSpan(i * size, size);
            switch (descr[1])
            {
                case 'f' when size == 4: BinaryPrimitives.WriteInt32LittleEndian(e, BitConverter.SingleToInt32Bits((float)(rng.NextDouble() * 20 - 10))); break;
                case 'f': BinaryPrimitives.WriteInt64LittleEndian(e, BitConverter.DoubleToInt64Bits(rng.NextDouble() * 20 - 10)); break;
                case 'b': e[0] = (byte)rng.Next(2); break;
                default: rng.NextBytes(e); if (rng.Chance(0.7)) { e.Clear(); e[0] = (byte)rng.Next(10); } break;
            }
            if (big) e.Reverse();
        }
        return b;
    }

    /// <summary>An .npz (zip, stored or deflated) of 1–3 arrays; the zip's size fields are the huge-value targets.</summary>
    public static Seed Npz(Random rng)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            int n = 1 + rng.Next(3);
            for (int i = 0; i < n; i++)
            {
                var entry = zip.CreateEntry(i == 0 ? "x.npy" : $"a{i}.npy", rng.Chance(0.5) ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                using var s = entry.Open();
                s.Write(Npy(rng).Bytes);
            }
        }
        var bytes = ms.ToArray();
        var fields = new List<SizeField>();
        for (int at = 0; at + 4 <= bytes.Length; at++)
        {
            uint sig = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at));
            if (sig == 0x04034b50) { fields.Add(new(at + 18, 4, false)); fields.Add(new(at + 22, 4, false)); }
            else if (sig == 0x02014b50) { fields.Add(new(at + 20, 4, false)); fields.Add(new(at + 24, 4, false)); fields.Add(new(at + 42, 4, false)); }
            else if (sig == 0x06054b50) { fields.Add(new(at + 10, 2, false)); fields.Add(new(at + 12, 4, false)); fields.Add(new(at + 16, 4, false)); }
        }
        return new Seed("data.npz", bytes, fields, false);
    }

    /// <summary>A level-5 MAT file: numeric variables of random classes and storage types, a char array or a cell, compressed or not, either byte order.</summary>
    public static Seed MatV5(Random rng)
    {
        var w = new MatV5Writer(rng.Chance(0.3));
        int n = 1 + rng.Next(3);
        for (int i = 0; i < n; i++)
        {
            bool compress = rng.Chance(0.4);
            switch (rng.Next(8))
            {
                case 0: w.Char($"s{i}", rng.Word(6), compress); break;
                case 1: w.Cell($"c{i}"); break;
                default:
                    int[] dims = rng.Chance(0.15) ? [1 + rng.Next(3), 1 + rng.Next(3), 1 + rng.Next(3)] : [rng.Next(0, 6), 1 + rng.Next(5)];
                    w.Numeric(i == 0 ? "X" : $"v{i}", rng.Pick(MatV5Writer.Classes), dims, rng.Pick(MatV5Writer.Storage), rng, compress);
                    break;
            }
        }
        return new Seed("data.mat", w.Build(), w.Fields, false);
    }

    /// <summary>
    /// A MATLAB v7.3 file: HDF5 written by PureHDF behind a 512-byte user block that holds the MATLAB
    /// header. MATLAB stores an m×n array as an HDF5 dataset of shape n×m with a MATLAB_class attribute;
    /// sometimes also an empty array (MATLAB_empty, its dimensions as data). Every stored u64 equal to a
    /// dimension is a size field. (A chunked dataset declaring 2^28 doubles is not written: PureHDF
    /// allocates its full extent while writing.)
    /// </summary>
    public static Seed Mat73(Random rng)
    {
        int m = rng.Next(1, 6), n = rng.Next(1, 6);
        var data = new double[n, m];
        for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) data[i, j] = rng.NextDouble();
        var file = new PureHDF.H5File
        {
            ["X"] = new PureHDF.H5Dataset(data) { Attributes = { ["MATLAB_class"] = "double" } },
        };
        if (rng.Chance(0.2)) file["E"] = new PureHDF.H5Dataset(new ulong[] { 5, 3 }) { Attributes = { ["MATLAB_class"] = "double", ["MATLAB_empty"] = (byte)1 } };
        var ms = new MemoryStream();
        file.Write(ms, new PureHDF.H5WriteOptions(UserBlockSize: 512));
        var bytes = ms.ToArray();
        var header = Encoding.ASCII.GetBytes("MATLAB 7.3 MAT-file, Platform: bench fuzz, HDF5 schema 1.00 .".PadRight(116));
        header.CopyTo(bytes, 0);
        Array.Clear(bytes, 116, 8);
        bytes[124] = 0x00; bytes[125] = 0x02; bytes[126] = (byte)'I'; bytes[127] = (byte)'M';
        var fields = new List<SizeField>();
        for (int at = 512; at + 8 <= bytes.Length; at += 1)
        {
            ulong v = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            if (v == (ulong)m || v == (ulong)n) fields.Add(new(at, 8, false));
        }
        return new Seed("data.mat", bytes, fields, false);
    }

    /// <summary>A numeric matrix as CSV, TSV or whitespace text, sometimes with a header line, comments, NumPy's inf/nan spellings or CRLF.</summary>
    public static Seed Delimited(Random rng)
    {
        var (ext, sep) = rng.Pick(new[] { (".csv", ","), (".tsv", "\t"), (".txt", " ") });
        int rows = 1 + rng.Next(8), cols = 1 + rng.Next(6);
        var sb = new StringBuilder();
        if (rng.Chance(0.3)) sb.AppendLine(string.Join(sep, Enumerable.Range(0, cols).Select(j => $"f{j}")));
        if (rng.Chance(0.2)) sb.AppendLine("# a comment");
        string nl = rng.Chance(0.2) ? "\r\n" : "\n";
        for (int i = 0; i < rows; i++)
            sb.Append(string.Join(sep, Enumerable.Range(0, cols).Select(_ => rng.Chance(0.03) ? rng.Pick(new[] { "nan", "inf", "-inf" }) : Number(rng)))).Append(nl);
        return new Seed("matrix" + ext, Encoding.UTF8.GetBytes(sb.ToString()), [], true);
    }

    private static string Number(Random rng) => rng.Next(4) switch
    {
        0 => rng.Next(-100, 100).ToString(CultureInfo.InvariantCulture),
        1 => (rng.NextDouble() * 1e6).ToString("E3", CultureInfo.InvariantCulture),
        _ => (rng.NextDouble() * 10 - 5).ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>GloVe text: "word v1 .. vd" lines, sometimes with a word2vec "count dim" first line.</summary>
    public static Seed Glove(Random rng, IReadOnlyList<string>? words = null)
    {
        int dim = 1 + rng.Next(6);
        words ??= Enumerable.Range(0, 1 + rng.Next(8)).Select(_ => rng.Word(6).Replace(" ", "")).ToArray();
        var sb = new StringBuilder();
        if (rng.Chance(0.2)) sb.Append(words.Count).Append(' ').Append(dim).Append('\n');
        foreach (var word in words)
            sb.Append(word).Append(' ').Append(string.Join(' ', Enumerable.Range(0, dim).Select(_ => Number(rng)))).Append('\n');
        return new Seed("vectors.txt", Encoding.UTF8.GetBytes(sb.ToString()), [], true);
    }

    /// <summary>A list file of "path label" or tab-separated lines.</summary>
    public static Seed List(Random rng, IReadOnlyList<string>? paths = null, IReadOnlyList<string>? labels = null)
    {
        paths ??= Enumerable.Range(0, 1 + rng.Next(6)).Select(i => $"dir {i}/{rng.Word(5)}.png").ToArray();
        bool tabs = rng.Chance(0.4);
        var sb = new StringBuilder("# media list\n");
        for (int i = 0; i < paths.Count; i++)
            sb.Append(paths[i]).Append(tabs ? '\t' : ' ').Append(labels?[i] ?? rng.Next(5).ToString(CultureInfo.InvariantCulture)).Append('\n');
        return new Seed("items.list", Encoding.UTF8.GetBytes(sb.ToString()), [], true);
    }

    /// <summary>A picture of a random size (sometimes an extreme aspect ratio) in a random format SkiaSharp encodes.</summary>
    public static Seed Picture(Random rng)
    {
        int w = 1 + rng.Next(40), h = 1 + rng.Next(40);
        if (rng.Chance(0.05)) (w, h) = rng.Chance(0.5) ? (1, 100_000) : (100_000, 1);
        else if (rng.Chance(0.05)) (w, h) = (5000, 3);
        var (ext, format) = rng.Pick(new[]
        {
            (".png", SKEncodedImageFormat.Png), (".png", SKEncodedImageFormat.Png), (".jpg", SKEncodedImageFormat.Jpeg),
            (".webp", SKEncodedImageFormat.Webp), (".gif", SKEncodedImageFormat.Png), (".bmp", SKEncodedImageFormat.Png),
        });
        using var bitmap = new SKBitmap(w, h);
        var color = new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256), (byte)(rng.Chance(0.2) ? rng.Next(256) : 255));
        bitmap.Erase(color);
        // This SkiaSharp build may lack an encoder (null): PNG then.
        var encoded = bitmap.Encode(format, 90);
        if (encoded is null)
        {
            (ext, format) = (".png", SKEncodedImageFormat.Png);
            encoded = bitmap.Encode(format, 90);
        }
        using var data = encoded;
        var bytes = data.ToArray();
        // PNG: IHDR width and height (big-endian) are the size fields.
        IReadOnlyList<SizeField> fields = format == SKEncodedImageFormat.Png ? [new(16, 4, true), new(20, 4, true)] : [];
        if (ext == ".gif") bytes = Gif(w, h, color);
        if (ext == ".bmp") bytes = Bmp(w, h, color);
        return new Seed("picture" + ext, bytes, ext == ".png" ? fields : ext == ".bmp" ? [new(18, 4, false), new(22, 4, false), new(2, 4, false)] : [], false);
    }

    /// <summary>A one-colour GIF89a (SkiaSharp has no GIF encoder): header, 2-colour table, one LZW-coded image.</summary>
    private static byte[] Gif(int w, int h, SKColor c)
    {
        w = Math.Min(w, 64); h = Math.Min(h, 64);
        var b = new List<byte>("GIF89a"u8.ToArray());
        b.AddRange(BitConverter.GetBytes((ushort)w)); b.AddRange(BitConverter.GetBytes((ushort)h));
        b.AddRange([0x80, 0, 0, c.Red, c.Green, c.Blue, 255, 255, 255]);
        b.AddRange([0x2C, 0, 0, 0, 0]); b.AddRange(BitConverter.GetBytes((ushort)w)); b.AddRange(BitConverter.GetBytes((ushort)h)); b.Add(0);
        // LZW, minimum code size 2: clear code, then every pixel as code 0, then end code (codes of 3 bits; reset before the table grows).
        var bits = new List<bool>();
        void Code(int v, int n) { for (int i = 0; i < n; i++) bits.Add(((v >> i) & 1) != 0); }
        int pixels = w * h;
        for (int done = 0; done < pixels; done += 2) { Code(4, 3); Code(0, 3); if (done + 1 < pixels) Code(0, 3); }
        Code(5, 3);
        var data = new byte[(bits.Count + 7) / 8];
        for (int i = 0; i < bits.Count; i++) if (bits[i]) data[i / 8] |= (byte)(1 << (i % 8));
        b.Add(2);
        for (int at = 0; at < data.Length; at += 255) { int n = Math.Min(255, data.Length - at); b.Add((byte)n); b.AddRange(data.AsSpan(at, n).ToArray()); }
        b.AddRange([0, 0x3B]);
        return b.ToArray();
    }

    /// <summary>A 24-bit BMP.</summary>
    private static byte[] Bmp(int w, int h, SKColor c)
    {
        w = Math.Min(w, 256); h = Math.Min(h, 256);
        int row = (w * 3 + 3) / 4 * 4, size = 54 + row * h;
        var b = new byte[size];
        "BM"u8.CopyTo(b);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), size);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), h);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(34), row * h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) { int at = 54 + y * row + x * 3; b[at] = c.Blue; b[at + 1] = c.Green; b[at + 2] = c.Red; }
        return b;
    }

    /// <summary>A short tone as 16-bit PCM WAV (the library's writer); RIFF and data sizes are the size fields.</summary>
    public static Seed Wav(Random rng)
    {
        int rate = rng.Pick(new[] { 8000, 22050, 44100 });
        var samples = new float[rng.Next(1, 2000)];
        double f = 100 + rng.Next(2000);
        for (int i = 0; i < samples.Length; i++) samples[i] = (float)(0.5 * Math.Sin(2 * Math.PI * f * i / rate));
        return new Seed("sound.wav", WavWriter.Encode(samples, rate), [new(4, 4, false), new(24, 4, false), new(28, 4, false), new(34, 2, false), new(40, 4, false)], false);
    }

    /// <summary>A text item, sometimes a TuxPaint description with translation lines.</summary>
    public static Seed Text(Random rng)
    {
        var sb = new StringBuilder();
        if (rng.Chance(0.2)) sb.Append('\uFEFF');
        int lines = 1 + rng.Next(4);
        for (int i = 0; i < lines; i++)
            sb.Append(string.Join(' ', Enumerable.Range(0, 1 + rng.Next(8)).Select(_ => rng.Word(8)))).Append(rng.Chance(0.2) ? "\r\n" : "\n");
        if (rng.Chance(0.2)) sb.Append("fr.utf8=\"un oiseau\"\n");
        return new Seed("item.txt", Encoding.UTF8.GetBytes(sb.ToString()), [], true);
    }

    /// <summary>
    /// MATLAB level-5 writer: 128-byte header, one miMATRIX element per variable (flags, dimensions,
    /// name, data; sub-elements padded to 8 bytes), miCOMPRESSED wrapping a zlib stream. Records the
    /// offsets of dimensions and byte counts (uncompressed variables only) as size fields.
    /// </summary>
    private sealed class MatV5Writer(bool big)
    {
        public static readonly int[] Classes = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
        public static readonly uint[] Storage = [1, 2, 3, 4, 5, 6, 7, 9, 12, 13];
        private readonly List<byte> body = [];
        public List<SizeField> Fields { get; } = [];

        public byte[] Build()
        {
            var h = new byte[128];
            Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, Platform: bench fuzz".PadRight(116)).CopyTo(h, 0);
            if (big) { h[124] = 0x01; h[125] = 0x00; h[126] = (byte)'M'; h[127] = (byte)'I'; }
            else { h[124] = 0x00; h[125] = 0x01; h[126] = (byte)'I'; h[127] = (byte)'M'; }
            Fields.Add(new(124, 2, big));
            return [.. h, .. body];
        }

        public void Numeric(string name, int cls, int[] dims, uint storage, Random rng, bool compress)
        {
            int count = dims.Aggregate(1, (a, d) => a * d);
            int size = storage switch { 1 or 2 => 1, 3 or 4 => 2, 5 or 6 or 7 => 4, _ => 8 };
            var data = new byte[count * size];
            for (int i = 0; i < count; i++)
            {
                var e = data.AsSpan(i * size, size);
                switch (storage)
                {
                    case 7: Put32(e, (uint)BitConverter.SingleToInt32Bits((float)(rng.NextDouble() * 10))); break;
                    case 9: Put64(e, (ulong)BitConverter.DoubleToInt64Bits(rng.NextDouble() * 10)); break;
                    default: e[big ? size - 1 : 0] = (byte)rng.Next(100); break;
                }
            }
            Add(name, cls, dims, [.. Element(storage, data)], compress);
        }

        public void Char(string name, string text, bool compress)
        {
            var data = text.SelectMany(c => { var b = new byte[2]; if (big) BinaryPrimitives.WriteUInt16BigEndian(b, c); else BinaryPrimitives.WriteUInt16LittleEndian(b, c); return b; }).ToArray();
            Add(name, 4, [1, text.Length], Element(4, data), compress);
        }

        public void Cell(string name)
        {
            var inner = Matrix("", 6, [1, 1], Element(9, BitConverter.GetBytes(1.0)), null);
            Add(name, 1, [1, 1], Element(14, inner), false);
        }

        private void Add(string name, int cls, int[] dims, byte[] data, bool compress)
        {
            int start = 128 + body.Count;
            var fields = new List<SizeField>();
            var matrix = Matrix(name, cls, dims, data, fields);
            if (compress)
            {
                var ms = new MemoryStream();
                using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(Element(14, matrix));
                var packed = ms.ToArray();
                Fields.Add(new(start + 4, 4, big));
                body.AddRange(Tag(15, packed.Length));
                body.AddRange(packed); // compressed elements are not padded
            }
            else
            {
                Fields.Add(new(start + 4, 4, big));
                Fields.AddRange(fields.Select(f => f with { Offset = f.Offset + start + 8 }));
                body.AddRange(Element(14, matrix));
            }
        }

        private byte[] Matrix(string name, int cls, int[] dims, byte[] data, List<SizeField>? fields)
        {
            var m = new List<byte>();
            var flags = new byte[8];
            Put32(flags, (uint)cls);
            m.AddRange(Element(6, flags));
            fields?.Add(new(m.Count + 4, 4, big));
            var dimBytes = new byte[dims.Length * 4];
            for (int i = 0; i < dims.Length; i++) Put32(dimBytes.AsSpan(i * 4), (uint)dims[i]);
            for (int i = 0; i < dims.Length; i++) fields?.Add(new(m.Count + 8 + 4 * i, 4, big));
            m.AddRange(Element(5, dimBytes));
            m.AddRange(Element(1, Encoding.ASCII.GetBytes(name)));
            fields?.Add(new(m.Count + 4, 4, big));
            m.AddRange(data);
            return m.ToArray();
        }

        private byte[] Element(uint type, byte[] data) => [.. Tag(type, data.Length), .. data, .. new byte[(8 - data.Length % 8) % 8]];

        private byte[] Tag(uint type, int bytes)
        {
            var t = new byte[8];
            Put32(t, type);
            Put32(t.AsSpan(4), (uint)bytes);
            return t;
        }

        private void Put32(Span<byte> s, uint v) { if (big) BinaryPrimitives.WriteUInt32BigEndian(s, v); else BinaryPrimitives.WriteUInt32LittleEndian(s, v); }
        private void Put64(Span<byte> s, ulong v) { if (big) BinaryPrimitives.WriteUInt64BigEndian(s, v); else BinaryPrimitives.WriteUInt64LittleEndian(s, v); }
    }
}
