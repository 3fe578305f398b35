using System.Buffers.Binary;
using CrossMedia.Core;

namespace CrossMedia.Media;

/// <summary>Writes mono 16-bit PCM WAV files (RIFF header + one `data` chunk).</summary>
internal static class WavWriter
{
    /// <summary>WAV bytes of samples in −1..1 (clipped), rounded to 16-bit.</summary>
    public static byte[] Encode(ReadOnlySpan<float> samples, int sampleRate)
    {
        int dataBytes = samples.Length * 2;
        var b = new byte[44 + dataBytes];
        var s = b.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], 36 + dataBytes);
        "WAVE"u8.CopyTo(s[8..]);
        "fmt "u8.CopyTo(s[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], 16);          // fmt chunk size
        BinaryPrimitives.WriteInt16LittleEndian(s[20..], 1);           // PCM
        BinaryPrimitives.WriteInt16LittleEndian(s[22..], 1);           // channels
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(s[28..], sampleRate * 2); // byte rate
        BinaryPrimitives.WriteInt16LittleEndian(s[32..], 2);           // block align
        BinaryPrimitives.WriteInt16LittleEndian(s[34..], 16);          // bits per sample
        "data"u8.CopyTo(s[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[40..], dataBytes);
        for (int i = 0; i < samples.Length; i++)
        {
            float v = Math.Clamp(samples[i], -1f, 1f);
            BinaryPrimitives.WriteInt16LittleEndian(s[(44 + 2 * i)..], (short)MathF.Round(v * 32767f));
        }
        return b;
    }

    /// <summary>Writes a WAV file atomically.</summary>
    public static void Write(string path, ReadOnlySpan<float> samples, int sampleRate) =>
        AtomicFile.WriteAllBytes(path, Encode(samples, sampleRate));
}
