using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CrossMedia.Index;

/// <summary>
/// The append log beside an index file (<c>INDEX.log</c>): additions and removals made after the
/// index was written, so a change costs one appended record instead of a rewrite.
/// <code>
///   header: magic "CMIDXLOG" (8), u32 version (2), content hash of the base index file (64),
///           SHA-256 of those 76 bytes (32; version 1 logs, written before, have no header checksum)
///   record: u32 payload length L, payload (L), SHA-256 of the payload (32)
///   payload: u8 kind (1 add, 2 remove), i64 id, then for add: medium, label (i32), key, source
///            (strings: u32 length + UTF-8), u32 dimension, float32 vector
/// </code>
/// Replay ends at a torn tail (an incomplete or failing last record, which a crash mid-append
/// leaves; the next append cuts it off) and refuses damage followed by valid records. A log whose
/// intact header names another base index file is stale (left over from before a compaction that
/// already contains it) and is ignored; a damaged header is refused, never taken for stale, so
/// damage cannot silently drop committed records. Writers hold the <see cref="IndexLock"/>.
/// </summary>
internal static class IndexLog
{
    private static ReadOnlySpan<byte> Magic => "CMIDXLOG"u8;
    private const uint Version = 2;
    /// <summary>Magic, version and base hash; version 2 adds their SHA-256.</summary>
    private const int V1HeaderBytes = 8 + 4 + 64, HeaderBytes = V1HeaderBytes + 32;
    private const int MaxRecordBytes = 1 << 24;

    public abstract record Record(long Id);
    public sealed record AddRecord(long Id, string Medium, int Label, string Key, string Source, float[] Vector) : Record(Id);
    public sealed record RemoveRecord(long Id) : Record(Id);

    public static string PathFor(string indexPath) => indexPath + ".log";

    /// <summary>What <see cref="Read"/> found: the log is missing, <see cref="Stale"/> (it extends another index
    /// file: left over from a compaction that already holds its records, ignored) or current.</summary>
    public enum State { Missing, Stale, Current }

    /// <param name="ValidLength">Byte length the valid records end at (0 unless current).</param>
    /// <param name="TornBytes">Bytes after them that an interrupted write left (ignored; the next append cuts them).</param>
    public sealed record Replay(State State, List<Record> Records, long ValidLength, long TornBytes);

    /// <summary>
    /// The records of the log at <paramref name="path"/> for a base index with <paramref name="baseHash"/> that
    /// start at byte <paramref name="from"/> (where an earlier read stopped; 0: the first record).
    /// A record that is incomplete or fails its checksum ends the log when nothing valid follows it (a torn
    /// tail: the last write did not finish); followed by a valid record it is damage, and the read fails,
    /// naming the record, rather than dropping everything after it.
    /// </summary>
    public static Replay Read(string path, byte[] baseHash, int dimension, long from = 0)
    {
        var records = new List<Record>();
        FileStream fs;
        try { fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); }
        catch (FileNotFoundException) { return new Replay(State.Missing, records, 0, 0); }  // none, or a compaction just deleted it
        byte[] bytes;
        using (fs)
        {
            if (fs.Length > int.MaxValue)
                throw new InputException(path, "length", "at most 2 GiB (compact the index: 'crossmedia index compact')", $"{fs.Length} bytes");
            if (fs.Length < V1HeaderBytes) return new Replay(State.Missing, records, 0, fs.Length);  // its creation was interrupted
            var header = new byte[V1HeaderBytes];
            fs.ReadExactly(header);
            if (!header.AsSpan(0, 8).SequenceEqual(Magic))
                throw new InputException(path, "magic", "\"CMIDXLOG\" (a CrossMedia index log)", $"bytes {Convert.ToHexString(header, 0, 8)} (damaged; move the log aside to open the index without its changes)");
            uint version = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
            if (version is not (1 or Version))
                throw new InputException(path, "version", $"1 or {Version}", $"{version} (damaged or written by a newer CrossMedia; move the log aside to open the index without its changes)");
            int headerBytes = version == 1 ? V1HeaderBytes : HeaderBytes;
            if (version == Version)
            {
                if (fs.Length < HeaderBytes) return new Replay(State.Missing, records, 0, fs.Length);  // its creation was interrupted
                var checksum = new byte[32];
                fs.ReadExactly(checksum);
                if (!SHA256.HashData(header).AsSpan().SequenceEqual(checksum))
                    throw new InputException(path, "header", "an intact header (magic, version, base index hash and their SHA-256 agree)",
                        "damaged bytes (the log's records cannot be matched to the index; move the log aside to open the index without its changes)");
            }
            // Only an intact header (version 1 logs have no checksum to tell) that names another index file is stale.
            if (!header.AsSpan(12, 64).SequenceEqual(baseHash)) return new Replay(State.Stale, records, 0, 0);
            from = Math.Max(from, headerBytes);
            if (from > fs.Length)
                throw new InputException(path, "length", $"at least the {from} bytes already read", $"{fs.Length} bytes (shortened by something other than CrossMedia)");
            bytes = new byte[fs.Length - from];
            fs.Position = from;
            fs.ReadExactly(bytes);
        }
        int pos = 0;
        while (pos < bytes.Length)
        {
            int end = RecordEnd(bytes, pos, dimension);
            if (end < 0)
            {
                int valid = Enumerable.Range(pos + 1, bytes.Length - pos - 1).Select(p => RecordEnd(bytes, p, dimension)).FirstOrDefault(e => e > 0, -1);
                if (valid < 0) return new Replay(State.Current, records, from + pos, bytes.Length - pos);
                throw new InputException(path, $"record at byte {from + pos}", "an intact record (length, content and SHA-256 agree)",
                    "damaged bytes followed by valid records (the log is damaged, not just cut short; move it aside to open the index without its changes)");
            }
            records.Add(Parse(path, from + pos, bytes.AsSpan(pos + 4, end - pos - 4 - 32).ToArray(), dimension));
            pos = end;
        }
        return new Replay(State.Current, records, from + pos, 0);
    }

    /// <summary>Where the record at <paramref name="pos"/> ends when it is complete, well-formed and its checksum
    /// matches; otherwise −1. Cheap structural checks first: damage scans call this at every byte.</summary>
    private static int RecordEnd(byte[] bytes, int pos, int dimension)
    {
        if (bytes.Length - pos < 4 + 9 + 32) return -1;
        uint len = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos));
        if (len < 9 || len > MaxRecordBytes || len > bytes.Length - pos - 4 - 32) return -1;
        var payload = bytes.AsSpan(pos + 4, (int)len);
        if (!WellFormed(payload, dimension)) return -1;
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(pos + 4 + (int)len, 32))) return -1;
        return pos + 4 + (int)len + 32;
    }

    /// <summary>Whether the payload's lengths add up (kind, strings, dimension), without decoding it.</summary>
    private static bool WellFormed(ReadOnlySpan<byte> p, int dimension)
    {
        if (p[0] == 2) return p.Length == 9;
        if (p[0] != 1) return false;
        long at = 9;
        for (int field = 0; field < 3; field++)  // medium, (label), key, source
        {
            if (at + 4 > p.Length) return false;
            at += 4 + BinaryPrimitives.ReadUInt32LittleEndian(p[(int)at..]);
            if (field == 0) at += 4;
        }
        if (at + 4 > p.Length || BinaryPrimitives.ReadUInt32LittleEndian(p[(int)at..]) != dimension) return false;
        return p.Length - at - 4 == 4L * dimension;
    }

    /// <summary>Decodes an intact record; one whose content breaks a limit (e.g. a key over 64 KiB, which a
    /// writer that does not check may have appended) fails naming the record and field.</summary>
    private static Record Parse(string path, long offset, byte[] payload, int dimension)
    {
        var c = new IndexFile.Cursor($"{path}: record at byte {offset}", payload);
        byte kind = c.Byte("kind");
        long id = c.Int64("id");
        if (kind == 2) return new RemoveRecord(id);
        string medium = c.String("medium");
        int label = c.Int32("label");
        string key = c.String("key");
        string source = c.String("source");
        uint dim = c.UInt32("dimension");
        var v = new float[dim];
        for (int i = 0; i < v.Length; i++) v[i] = c.Single("vector");
        if (!v.All(float.IsFinite)) throw new InputException($"{path}: record at byte {offset}", "vector", "finite values", "NaN or infinity");
        return new AddRecord(id, medium, label, key, source, v);
    }

    /// <summary>Appends records durably (one fsync), starting a fresh log when none is current; cuts a torn tail
    /// after <paramref name="validLength"/> (0: no current log; a current one, of either version, is appended to as it is).
    /// The caller holds the <see cref="IndexLock"/> and has read the log up to there.</summary>
    public static long Append(string path, byte[] baseHash, long validLength, IEnumerable<Record> records)
    {
        bool created = !File.Exists(path);
        using var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        if (validLength == 0)
        {
            var header = new byte[HeaderBytes];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Version);
            baseHash.CopyTo(header.AsSpan(12, 64));
            SHA256.HashData(header.AsSpan(0, V1HeaderBytes), header.AsSpan(V1HeaderBytes));
            fs.SetLength(0);
            fs.Write(header);
            validLength = HeaderBytes;
        }
        else
        {
            fs.SetLength(validLength); // cut a torn tail
        }
        fs.Position = validLength;
        foreach (var r in records)
        {
            var payload = Serialize(r);
            var len = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)payload.Length);
            fs.Write(len);
            fs.Write(payload);
            fs.Write(SHA256.HashData(payload));
        }
        fs.Flush(flushToDisk: true);
        if (created) CrossMedia.Core.Posix.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return fs.Length;
    }

    private static byte[] Serialize(Record r)
    {
        var ms = new MemoryStream();
        var w = new BinaryWriter(ms, Encoding.UTF8);
        switch (r)
        {
            case RemoveRecord:
                w.Write((byte)2);
                w.Write(r.Id);
                break;
            case AddRecord a:
                w.Write((byte)1);
                w.Write(a.Id);
                WriteString(w, a.Medium);
                w.Write(a.Label);
                WriteString(w, a.Key);
                WriteString(w, a.Source);
                w.Write((uint)a.Vector.Length);
                foreach (var x in a.Vector) w.Write(x);
                break;
        }
        w.Flush();
        return ms.ToArray();
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var b = IndexFile.Utf8(s, "log record", "string");
        w.Write((uint)b.Length);
        w.Write(b);
    }
}
