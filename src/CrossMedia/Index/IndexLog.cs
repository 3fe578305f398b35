using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CrossMedia.Index;

/// <summary>
/// The append log beside an index file (<c>INDEX.log</c>): additions and removals made after the
/// index was written, so a change costs one appended record instead of a rewrite.
/// <code>
///   header: magic "CMIDXLOG" (8), u32 version (1), content hash of the base index file (64)
///   record: u32 payload length L, payload (L), SHA-256 of the payload (32)
///   payload: u8 kind (1 add, 2 remove), i64 id, then for add: medium, label (i32), key, source
///            (strings: u32 length + UTF-8), u32 dimension, float32 vector
/// </code>
/// Replay stops at the first incomplete or damaged record (a crash mid-append leaves a torn
/// tail, which the next append cuts off). A log whose base hash differs from the index file's is
/// stale (left over from before a compaction that already contains it) and is ignored.
/// </summary>
internal static class IndexLog
{
    private static ReadOnlySpan<byte> Magic => "CMIDXLOG"u8;
    private const uint Version = 1;
    private const int HeaderBytes = 8 + 4 + 64;
    private const int MaxRecordBytes = 1 << 24;

    public abstract record Record(long Id);
    public sealed record AddRecord(long Id, string Medium, int Label, string Key, string Source, float[] Vector) : Record(Id);
    public sealed record RemoveRecord(long Id) : Record(Id);

    public static string PathFor(string indexPath) => indexPath + ".log";

    /// <summary>The valid records of the log at <paramref name="path"/> for a base index with <paramref name="baseHash"/>,
    /// and the byte length they end at (0 when the log is missing or stale).</summary>
    public static (List<Record> Records, long ValidLength) Read(string path, byte[] baseHash, int dimension)
    {
        var records = new List<Record>();
        if (!File.Exists(path)) return (records, 0);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderBytes || !bytes.AsSpan(0, 8).SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)) != Version
            || !bytes.AsSpan(12, 64).SequenceEqual(baseHash))
            return (records, 0);
        long pos = HeaderBytes;
        while (pos + 4 <= bytes.Length)
        {
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)pos));
            if (len == 0 || len > MaxRecordBytes || pos + 4 + len + 32 > bytes.Length) break;
            var payload = bytes.AsSpan((int)pos + 4, (int)len);
            if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan((int)(pos + 4 + len), 32))) break;
            var record = Parse(path, payload.ToArray(), dimension);
            if (record is null) break;
            records.Add(record);
            pos += 4 + len + 32;
        }
        return (records, pos);
    }

    private static Record? Parse(string path, byte[] payload, int dimension)
    {
        try
        {
            var c = new IndexFile.Cursor(path, payload);
            byte kind = c.Byte("kind");
            long id = c.Int64("id");
            if (kind == 2) return c.AtEnd ? new RemoveRecord(id) : null;
            if (kind != 1) return null;
            string medium = c.String("medium");
            int label = c.Int32("label");
            string key = c.String("key");
            string source = c.String("source");
            uint dim = c.UInt32("dimension");
            if (dim != dimension || c.Remaining != dim * 4) return null;
            var v = new float[dim];
            for (int i = 0; i < v.Length; i++) v[i] = c.Single("vector");
            return new AddRecord(id, medium, label, key, source, v);
        }
        catch (InputException)
        {
            return null;
        }
    }

    /// <summary>Appends records durably (one fsync), starting a fresh log when none is valid.</summary>
    public static long Append(string path, byte[] baseHash, long validLength, IEnumerable<Record> records)
    {
        using var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (validLength < HeaderBytes)
        {
            fs.SetLength(0);
            fs.Write(Magic);
            Span<byte> v = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(v, Version);
            fs.Write(v);
            fs.Write(baseHash);
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
        var b = Encoding.UTF8.GetBytes(s);
        w.Write((uint)b.Length);
        w.Write(b);
    }
}
