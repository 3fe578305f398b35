using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using CrossMedia.Core;

namespace CrossMedia.Media;

/// <summary>
/// On-disk cache of decoded picture tensors. The key hashes the file's full path, size and
/// modification time with the decoding settings, so an edited file or a changed setting misses.
/// File layout (little-endian): "CMDC", version u32 = 1, tensors u32, channels u32, height u32,
/// width u32, then tensors × channels × height × width float32. Written atomically; a file
/// that fails any check is ignored (and rewritten after decoding).
/// </summary>
internal sealed class DecodedCache(string directory)
{
    private const uint Version = 1;
    private const int HeaderBytes = 24;

    public string Directory { get; } = directory;

    /// <summary>The cache file of a source file under the given settings fingerprint.</summary>
    public string PathFor(string source, MediaKind kind, string settings)
    {
        var info = new FileInfo(source);
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFullPath(source)}\n{info.Length}\n{info.LastWriteTimeUtc.Ticks}\n{kind}\n{settings}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return Path.Combine(Directory, hash[..2], hash + ".bin");
    }

    public bool TryRead(string file, out float[][] tensors, out int height, out int width)
    {
        tensors = [];
        height = width = 0;
        try
        {
            if (!File.Exists(file)) return false;
            var bytes = File.ReadAllBytes(file);
            if (bytes.Length < HeaderBytes || !bytes.AsSpan(0, 4).SequenceEqual("CMDC"u8)) return false;
            var s = bytes.AsSpan();
            uint version = BinaryPrimitives.ReadUInt32LittleEndian(s[4..]);
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(s[8..]);
            uint channels = BinaryPrimitives.ReadUInt32LittleEndian(s[12..]);
            uint h = BinaryPrimitives.ReadUInt32LittleEndian(s[16..]);
            uint w = BinaryPrimitives.ReadUInt32LittleEndian(s[20..]);
            if (version != Version || count is 0 or > 10_000 || channels != 3 || h is 0 or > 16_384 || w is 0 or > 16_384) return false;
            long per = (long)channels * h * w;
            if (HeaderBytes + count * per * 4 != bytes.Length) return false;
            var floats = MemoryMarshal.Cast<byte, float>(s[HeaderBytes..]);
            tensors = new float[count][];
            for (int i = 0; i < count; i++) tensors[i] = floats.Slice((int)(i * per), (int)per).ToArray();
            height = (int)h;
            width = (int)w;
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Write(string file, IReadOnlyList<float[]> tensors, int height, int width)
    {
        AtomicFile.Write(file, stream =>
        {
            Span<byte> header = stackalloc byte[HeaderBytes];
            "CMDC"u8.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Version);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)tensors.Count);
            BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 3);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)height);
            BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)width);
            stream.Write(header);
            foreach (var t in tensors) stream.Write(MemoryMarshal.AsBytes(t.AsSpan()));
        });
    }
}
