using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using System.Text;
using CrossMedia.Core;

namespace CrossMedia.Index;

/// <summary>
/// The index file format, version 1 (all integers little-endian):
/// <code>
///   0  magic "CMIDX\r\n\x1a" (8)   — the \r\n and ^Z catch text-mode mangling
///   8  u32 version (1)             12  u32 flags (0, or 1 = the metadata holds encoders)
///  16  u64 metadata length M       24  u64 item count N
///  32  u32 dimension D             36  u32 reserved (0)
///  40  u64 vectors offset V (= 64 + M rounded up to 64)
///  48  u64 next id (ids below it were used, so a compaction that drops the highest ids does not
///      hand them out again; 0: not recorded, the highest id + 1)
///  56  generation (8 random bytes; zeros: not recorded) — no two writes share a content hash,
///      so a log is never applied to a rewrite that happens to hold the same items
///  64  metadata: method, model SHA-256, metric (u8), media (u32 count + strings),
///      class names (u32 count + strings), [flag 1: encoders (u32 count + medium, encoder
///      string pairs)], then per item: i64 id, u16 medium, i32 label, key, source.
///      Strings are u32 byte length + UTF-8.
///   V  N × D float32 vectors, row-major, 64-byte aligned (memory-mapped on load)
///  V+4ND  SHA-256 of bytes [0, 64+M) (header + metadata), SHA-256 of the vectors,
///      end magic "CMIDXEND"
/// </code>
/// The header/metadata checksum is always verified on load (the metadata is read anyway); the
/// vector checksum is verified on load unless the caller asks for a fast open, in which case a
/// damaged vector section is only found by <c>index info</c>.
/// </summary>
internal static class IndexFile
{
    public static ReadOnlySpan<byte> Magic => "CMIDX\r\n\x1a"u8;
    public static ReadOnlySpan<byte> EndMagic => "CMIDXEND"u8;
    public const uint Version = 1;
    public const int FixedHeaderBytes = 64;
    public const int TrailerBytes = 32 + 32 + 8;
    /// <summary>Upper bounds checked before anything is allocated.</summary>
    public const int MaxDimension = 1 << 16;
    public const int MaxStringBytes = 1 << 16;
    public const int MaxMedia = 1 << 10;
    public const int MaxClasses = 1 << 20;
    /// <summary>Flag: the metadata holds the media's encoders after the class names. Set only when there are some,
    /// so an index without encoders is byte for byte the format without the flag, which every reader reads.</summary>
    public const uint EncodersFlag = 1;

    /// <summary>Writes an index atomically. <paramref name="copyRow"/> fills item i's vector.
    /// Returns the file's content hash (header and vector checksums). Refuses, before writing, anything
    /// <see cref="Open"/> would refuse to read back.</summary>
    public static byte[] Write(string path, IndexHeader header, IReadOnlyList<IndexItem> items, Action<int, Span<float>> copyRow, long nextId = 0)
    {
        CheckHeader(header, path);
        var mediaIndex = header.Media.Select((m, i) => (m, i)).ToDictionary(x => x.m, x => x.i);
        long previous = -1;
        foreach (var item in items)
        {
            if (item.Id <= previous) throw new ArgumentException($"item ids must ascend ({item.Id} after {previous})");
            previous = item.Id;
            if (!mediaIndex.ContainsKey(item.Medium)) throw new ArgumentException($"item {item.Id}: medium '{item.Medium}' is not in the header");
            CheckLabel(item.Label, header.ClassNames.Count, path, $"item {item.Id} label");
        }
        var meta = new MemoryStream();
        var w = new BinaryWriter(meta, Encoding.UTF8, leaveOpen: true);
        WriteString(w, header.Method);
        WriteString(w, header.ModelSha256);
        w.Write((byte)header.Metric);
        w.Write((uint)header.Media.Count);
        foreach (var m in header.Media) WriteString(w, m);
        w.Write((uint)header.ClassNames.Count);
        foreach (var c in header.ClassNames) WriteString(w, c);
        if (header.Encoders.Count > 0)
        {
            w.Write((uint)header.Encoders.Count);
            foreach (var (medium, encoder) in header.Encoders.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                WriteString(w, medium);
                WriteString(w, encoder);
            }
        }
        foreach (var item in items)
        {
            w.Write(item.Id);
            w.Write((ushort)mediaIndex[item.Medium]);
            w.Write(item.Label);
            WriteString(w, item.Key);
            WriteString(w, item.Source);
        }
        w.Flush();
        long metaLength = meta.Length;
        long vectorsOffset = Align64(FixedHeaderBytes + metaLength);
        var fixedHeader = new byte[FixedHeaderBytes];
        Magic.CopyTo(fixedHeader);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedHeader.AsSpan(8), Version);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedHeader.AsSpan(12), header.Encoders.Count > 0 ? EncodersFlag : 0);
        BinaryPrimitives.WriteUInt64LittleEndian(fixedHeader.AsSpan(16), (ulong)metaLength);
        BinaryPrimitives.WriteUInt64LittleEndian(fixedHeader.AsSpan(24), (ulong)items.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedHeader.AsSpan(32), (uint)header.Dimension);
        BinaryPrimitives.WriteUInt64LittleEndian(fixedHeader.AsSpan(40), (ulong)vectorsOffset);
        BinaryPrimitives.WriteInt64LittleEndian(fixedHeader.AsSpan(48), Math.Max(nextId, previous + 1));
        RandomNumberGenerator.Fill(fixedHeader.AsSpan(56, 8));

        var content = new byte[64];
        AtomicFile.Write(path, s =>
        {
            using var headerHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var vectorHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            s.Write(fixedHeader);
            headerHash.AppendData(fixedHeader);
            meta.Position = 0;
            var metaBytes = meta.GetBuffer().AsSpan(0, (int)metaLength);
            s.Write(metaBytes);
            headerHash.AppendData(metaBytes);
            s.Write(new byte[vectorsOffset - FixedHeaderBytes - metaLength]);
            // Vectors go out in ~1 MiB chunks.
            int d = header.Dimension;
            int rowsPerChunk = Math.Max(1, (1 << 20) / (d * sizeof(float)));
            var chunk = new float[rowsPerChunk * d];
            for (int start = 0; start < items.Count; start += rowsPerChunk)
            {
                int rows = Math.Min(rowsPerChunk, items.Count - start);
                for (int r = 0; r < rows; r++) copyRow(start + r, chunk.AsSpan(r * d, d));
                var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(chunk.AsSpan(0, rows * d));
                if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian");
                s.Write(bytes);
                vectorHash.AppendData(bytes);
            }
            headerHash.GetHashAndReset().CopyTo(content, 0);
            vectorHash.GetHashAndReset().CopyTo(content, 32);
            s.Write(content);
            s.Write(EndMagic);
        });
        return content;
    }

    /// <summary>An opened index file: header, items, and the memory-mapped vectors.</summary>
    public sealed unsafe class Mapped : IDisposable
    {
        public required IndexHeader Header { get; init; }
        public required IndexItem[] Items { get; init; }
        /// <summary>SHA-256 of header+metadata and of the vectors, as stored (identifies this file's content).</summary>
        public required byte[] ContentHash { get; init; }
        /// <summary>The lowest id never used (above every item's).</summary>
        public required long NextId { get; init; }
        internal MemoryMappedFile? File { get; init; }
        internal MemoryMappedViewAccessor? View { get; init; }
        internal byte* Pointer { get; init; }
        internal long VectorsOffset { get; init; }

        public IntPtr Vectors => (IntPtr)(Pointer + VectorsOffset);

        public void Dispose()
        {
            if (View is not null)
            {
                View.SafeMemoryMappedViewHandle.ReleasePointer();
                View.Dispose();
            }
            File?.Dispose();
        }
    }

    /// <summary>
    /// Opens and validates an index file; vectors stay in the file (memory-mapped, not copied).
    /// Throws <see cref="InputException"/> naming the file and field for anything foreign, truncated or damaged.
    /// </summary>
    public static unsafe Mapped Open(string path, bool verifyVectors = true)
    {
        // One open file gives the length, the header and the mapping, so a compaction that renames a new
        // file over the path meanwhile cannot make them disagree.
        FileStream fs;
        try { fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); }
        catch (FileNotFoundException) { throw new InputException(path, "", "an index file written by 'crossmedia index build'", "no such file"); }
        long length = fs.Length;
        MemoryMappedFile mmf;
        ulong metaLength, count;
        uint dim, flags;
        ulong vectorsOffset;
        long nextId;
        try
        {
            if (length < FixedHeaderBytes + TrailerBytes)
                throw new InputException(path, "header", $"at least {FixedHeaderBytes + TrailerBytes} bytes (a CrossMedia index)", $"{length} bytes");
            var fixedHeader = new byte[FixedHeaderBytes];
            fs.ReadExactly(fixedHeader);
            if (!fixedHeader.AsSpan(0, 8).SequenceEqual(Magic))
                throw new InputException(path, "magic", "a CrossMedia index (\"CMIDX\")", $"bytes {Convert.ToHexString(fixedHeader, 0, 8)}");
            uint version = BinaryPrimitives.ReadUInt32LittleEndian(fixedHeader.AsSpan(8));
            if (version != Version) throw new InputException(path, "version", Version.ToString(), version.ToString());
            flags = BinaryPrimitives.ReadUInt32LittleEndian(fixedHeader.AsSpan(12));
            if ((flags & ~EncodersFlag) != 0)
                throw new InputException(path, "flags", $"0 or {EncodersFlag} (encoders)", $"{flags} (written by a newer CrossMedia?)");
            metaLength = BinaryPrimitives.ReadUInt64LittleEndian(fixedHeader.AsSpan(16));
            count = BinaryPrimitives.ReadUInt64LittleEndian(fixedHeader.AsSpan(24));
            dim = BinaryPrimitives.ReadUInt32LittleEndian(fixedHeader.AsSpan(32));
            vectorsOffset = BinaryPrimitives.ReadUInt64LittleEndian(fixedHeader.AsSpan(40));
            nextId = BinaryPrimitives.ReadInt64LittleEndian(fixedHeader.AsSpan(48));
            if (nextId < 0) throw new InputException(path, "next id", "0 or more", nextId.ToString());
            if (metaLength > (ulong)(length - FixedHeaderBytes - TrailerBytes) || metaLength > int.MaxValue)
                throw new InputException(path, "metadata length", $"at most {length - FixedHeaderBytes - TrailerBytes} bytes", metaLength.ToString());
            if (dim == 0 || dim > MaxDimension) throw new InputException(path, "dimension", $"1..{MaxDimension}", dim.ToString());
            if (count > int.MaxValue) throw new InputException(path, "count", $"at most {int.MaxValue}", count.ToString());
            if (vectorsOffset != (ulong)Align64(FixedHeaderBytes + (long)metaLength))
                throw new InputException(path, "vectors offset", Align64(FixedHeaderBytes + (long)metaLength).ToString(), vectorsOffset.ToString());
            long expectedLength = (long)vectorsOffset + (long)count * dim * sizeof(float) + TrailerBytes;
            if (length != expectedLength)
                throw new InputException(path, "length", $"{expectedLength} bytes for {count} vectors of dimension {dim} (truncated or damaged?)", $"{length} bytes");
            // Each item takes at least 8+2+4+4+4 metadata bytes: bounds the count before allocating items.
            if (count * 22 > metaLength)
                throw new InputException(path, "count", $"at most {metaLength / 22} items for {metaLength} metadata bytes", count.ToString());

            mmf = MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        }
        catch
        {
            fs.Dispose();
            throw;
        }
        MemoryMappedViewAccessor? view = null;
        byte* ptr = null;
        try
        {
            view = mmf.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref ptr);
            ptr += view.PointerOffset;
            long trailer = length - TrailerBytes;
            var trailerSpan = new ReadOnlySpan<byte>(ptr + trailer, TrailerBytes);
            if (!trailerSpan[64..].SequenceEqual(EndMagic))
                throw new InputException(path, "end magic", "\"CMIDXEND\"", $"bytes {Convert.ToHexString(trailerSpan[64..])}");
            var headerHash = SHA256.HashData(new ReadOnlySpan<byte>(ptr, FixedHeaderBytes + (int)metaLength));
            if (!headerHash.AsSpan().SequenceEqual(trailerSpan[..32]))
                throw new InputException(path, "header checksum", Convert.ToHexStringLower(trailerSpan[..32]), Convert.ToHexStringLower(headerHash) + " (file damaged)");
            if (verifyVectors)
            {
                using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long vecBytes = (long)count * dim * sizeof(float);
                for (long off = 0; off < vecBytes; off += 1 << 24)
                    h.AppendData(new ReadOnlySpan<byte>(ptr + (long)vectorsOffset + off, (int)Math.Min(1 << 24, vecBytes - off)));
                var vh = h.GetHashAndReset();
                if (!vh.AsSpan().SequenceEqual(trailerSpan[32..64]))
                    throw new InputException(path, "vector checksum", Convert.ToHexStringLower(trailerSpan[32..64]), Convert.ToHexStringLower(vh) + " (file damaged)");
            }
            var cursor = new Cursor(path, new ReadOnlySpan<byte>(ptr + FixedHeaderBytes, (int)metaLength).ToArray());
            string method = cursor.String("method");
            string modelSha = cursor.String("model sha256");
            byte metricByte = cursor.Byte("metric");
            if (!Enum.IsDefined(typeof(Metric), metricByte))
                throw new InputException(path, "metric", "1 (cosine), 2 (ip) or 3 (l2)", metricByte.ToString());
            var media = cursor.Strings("media", MaxMedia);
            if (media.Length == 0 && count > 0) throw new InputException(path, "media", "at least one medium", "none");
            var classes = cursor.Strings("class names", MaxClasses);
            var encoders = new Dictionary<string, string>();
            if ((flags & EncodersFlag) != 0)
            {
                uint n = cursor.UInt32("encoders count");
                if (n > MaxMedia || n > cursor.Remaining / 8) throw new InputException(path, "encoders count", $"at most {Math.Min(MaxMedia, cursor.Remaining / 8)}", n.ToString());
                for (int i = 0; i < n; i++)
                {
                    var medium = cursor.String($"encoders[{i}] medium");
                    if (!encoders.TryAdd(medium, cursor.String($"encoders[{i}] encoder")))
                        throw new InputException(path, $"encoders[{i}] medium", "distinct media", InputException.Excerpt(medium) + " twice");
                }
            }
            var items = new IndexItem[count];
            long previous = long.MinValue;
            for (int i = 0; i < items.Length; i++)
            {
                long id = cursor.Int64($"item {i} id");
                if (id < 0 || id <= previous) throw new InputException(path, $"item {i} id", $"a non-negative id above {previous}", id.ToString());
                previous = id;
                int medium = cursor.UInt16($"item {i} medium");
                if (medium >= media.Length) throw new InputException(path, $"item {i} medium", $"0..{media.Length - 1}", medium.ToString());
                int label = cursor.Int32($"item {i} label");
                CheckLabel(label, classes.Length, path, $"item {i} label");
                items[i] = new IndexItem(id, cursor.String($"item {i} key"), media[medium], label, cursor.String($"item {i} source"));
            }
            if (!cursor.AtEnd) throw new InputException(path, "metadata", $"{metaLength} bytes of items", $"{cursor.Remaining} bytes left over");
            var header = new IndexHeader(method, modelSha, (int)dim, (Metric)metricByte, media, classes, encoders);
            return new Mapped
            {
                Header = header, Items = items, ContentHash = trailerSpan[..64].ToArray(), NextId = Math.Max(nextId, previous + 1),
                File = mmf, View = view, Pointer = ptr, VectorsOffset = (long)vectorsOffset,
            };
        }
        catch
        {
            if (view is not null) { if (ptr != null) view.SafeMemoryMappedViewHandle.ReleasePointer(); view.Dispose(); }
            mmf.Dispose();
            throw;
        }
    }

    public static long Align64(long offset) => (offset + 63) & ~63L;

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Utf8(s, "index", "string");
        w.Write((uint)bytes.Length);
        w.Write(bytes);
    }

    /// <summary>A string's UTF-8 bytes, refused when longer than a file may hold (<see cref="MaxStringBytes"/>).</summary>
    internal static byte[] Utf8(string s, string source, string field)
    {
        CheckString(s, source, field);
        return Encoding.UTF8.GetBytes(s);
    }

    /// <summary>A string a file may hold: valid UTF-16 (a lone surrogate has no UTF-8 form and would be stored as
    /// U+FFFD, a different string from the one acknowledged) of at most <see cref="MaxStringBytes"/> bytes of UTF-8.</summary>
    public static void CheckString(string s, string source, string field)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (!char.IsSurrogate(s[i])) continue;
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            throw new InputException(source, field, "valid Unicode text", $"a lone surrogate at character {i}");
        }
        // UTF-8 takes at most 3 bytes per UTF-16 unit: most strings need no count.
        if (s.Length > MaxStringBytes / 3 && Encoding.UTF8.GetByteCount(s) is var n && n > MaxStringBytes)
            throw new InputException(source, field, $"at most {MaxStringBytes} bytes of UTF-8", $"{n} bytes");
    }

    public static void CheckLabel(int label, int classes, string source, string field)
    {
        if (label < -1 || (classes > 0 && label >= classes))
            throw new InputException(source, field, classes > 0 ? $"-1..{classes - 1}" : "-1 or more", label.ToString());
    }

    /// <summary>The limits every index file keeps (what <see cref="Open"/> accepts), checked on what is about to be written.</summary>
    public static void CheckHeader(IndexHeader header, string source)
    {
        if (header.Dimension <= 0 || header.Dimension > MaxDimension)
            throw new InputException(source, "dimension", $"1..{MaxDimension}", header.Dimension.ToString());
        if (header.Media.Count > MaxMedia)
            throw new InputException(source, "media", $"at most {MaxMedia} distinct media in one index", header.Media.Count.ToString());
        if (header.ClassNames.Count > MaxClasses)
            throw new InputException(source, "class names", $"at most {MaxClasses}", header.ClassNames.Count.ToString());
        CheckString(header.Method, source, "method");
        CheckString(header.ModelSha256, source, "model sha256");
        foreach (var m in header.Media) CheckString(m, source, "medium");
        foreach (var c in header.ClassNames) CheckString(c, source, "class name");
        if (header.Encoders.Count > MaxMedia)
            throw new InputException(source, "encoders", $"at most {MaxMedia}", header.Encoders.Count.ToString());
        foreach (var (medium, encoder) in header.Encoders)
        {
            CheckString(medium, source, "encoder medium");
            CheckString(encoder, source, "encoder");
        }
    }

    /// <summary>The content hash stored in an index file's trailer (what a log names as its base), or null
    /// when the file is missing or does not end like an index; cheap: reads 72 bytes.</summary>
    public static byte[]? ReadContentHash(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (fs.Length < FixedHeaderBytes + TrailerBytes) return null;
            var trailer = new byte[TrailerBytes];
            fs.Position = fs.Length - TrailerBytes;
            fs.ReadExactly(trailer);
            return trailer.AsSpan(64).SequenceEqual(EndMagic) ? trailer[..64] : null;
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    /// <summary>Reads length-checked fields from a byte array; every failure names the file and field.</summary>
    internal sealed class Cursor(string path, byte[] data)
    {
        private int _pos;
        public bool AtEnd => _pos == data.Length;
        public int Remaining => data.Length - _pos;

        private ReadOnlySpan<byte> Take(int n, string field)
        {
            if (n < 0 || n > data.Length - _pos)
                throw new InputException(path, field, $"{n} more bytes", $"{data.Length - _pos} (truncated)");
            var s = data.AsSpan(_pos, n);
            _pos += n;
            return s;
        }

        public byte Byte(string field) => Take(1, field)[0];
        public ushort UInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));
        public int Int32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field));
        public uint UInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));
        public long Int64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));
        public float Single(string field) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, field));

        public string String(string field)
        {
            uint n = UInt32(field + " length");
            if (n > MaxStringBytes || n > Remaining)
                throw new InputException(path, field + " length", $"at most {Math.Min(MaxStringBytes, Remaining)} bytes", n.ToString());
            try { return new UTF8Encoding(false, true).GetString(Take((int)n, field)); }
            catch (DecoderFallbackException) { throw new InputException(path, field, "UTF-8 text", "invalid bytes"); }
        }

        public string[] Strings(string field, int max)
        {
            uint n = UInt32(field + " count");
            // Each string takes at least its 4-byte length.
            if (n > max || n > Remaining / 4) throw new InputException(path, field + " count", $"at most {Math.Min(max, Remaining / 4)}", n.ToString());
            var result = new string[n];
            for (int i = 0; i < n; i++) result[i] = String($"{field}[{i}]");
            return result;
        }
    }
}
