using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CrossMedia.Tests.Media;

/// <summary>Small files that claim to be huge (or are not what their name says), made on the spot.</summary>
internal static class HostileMedia
{
    /// <summary>
    /// A PNG whose IHDR claims <paramref name="width"/>×<paramref name="height"/> RGB pixels, followed by one
    /// zlib-compressed row of zeros: a few hundred bytes that a decoder would expand to the full size.
    /// </summary>
    public static byte[] Png(int width, int height)
    {
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type: RGB
        Chunk(png, "IHDR", ihdr);
        var row = new MemoryStream();
        using (var z = new ZLibStream(row, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(new byte[1 + 3 * width]);
        Chunk(png, "IDAT", row.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        png.Write(word);
    }

    /// <summary>PNG's CRC-32 (reflected polynomial 0xEDB88320) over a chunk's type and data.</summary>
    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Runs ffmpeg (test fixture generation only).</summary>
    public static void Ffmpeg(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ffmpeg", ["-v", "error", "-y", .. args]) { RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException("ffmpeg failed: " + err);
    }

    /// <summary>2 hours of silence as FLAC: about 1.3 MB that decodes to 7200 s of samples.</summary>
    public static string SilentFlac(string path, int seconds = 7200)
    {
        Ffmpeg("-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c:a", "flac", path);
        return path;
    }

    /// <summary>Bytes allocated on this thread while <paramref name="action"/> runs (the decoders run on the caller's thread).</summary>
    public static long AllocatedBy(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
