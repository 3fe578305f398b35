using System.Globalization;
using System.Runtime.InteropServices;

namespace CrossMedia.Media;

/// <summary>Decodes any audio ffmpeg understands to mono float samples at a given rate.</summary>
public static class AudioDecoder
{
    /// <summary>`ffmpeg -i IN -ac 1 -ar RATE -f f32le -`: the first audio stream, downmixed and resampled.</summary>
    public static float[] Decode(string path, int sampleRate = 22050)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found", path);
        var r = Ffmpeg.Run("ffmpeg", ["-v", "error", "-nostdin", "-i", path, "-vn", "-ac", "1",
            "-ar", sampleRate.ToString(CultureInfo.InvariantCulture), "-f", "f32le", "-"]);
        if (r.ExitCode != 0)
            throw new InputException(path, "", "audio ffmpeg can decode", Ffmpeg.LastLine(r.Stderr));
        if (r.Stdout.Length < 4)
            throw new InputException(path, "", "at least one audio sample", "no samples");
        return MemoryMarshal.Cast<byte, float>(r.Stdout.AsSpan(0, r.Stdout.Length / 4 * 4)).ToArray();
    }

    /// <summary>Audio file → spectrogram picture (the audio path up to the image path).</summary>
    public static RgbImage SpectrogramPicture(string path, SpectrogramOptions options) =>
        Spectrogram.Picture(Decode(path, options.SampleRate), options);
}
