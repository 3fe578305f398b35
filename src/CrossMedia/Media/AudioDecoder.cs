using System.Globalization;
using System.Runtime.InteropServices;

namespace CrossMedia.Media;

/// <summary>Decodes any audio ffmpeg understands to mono float samples at a given rate.</summary>
internal static class AudioDecoder
{
    private const string Expected = "audio ffmpeg can decode";

    /// <summary>
    /// `ffmpeg -i IN -ac 1 -ar RATE -f f32le -`: the first audio stream, downmixed and resampled. The
    /// duration is checked from the header first; decoding stops a second past the limit (<c>-t</c>,
    /// an output cap), so a header that understates the length cannot make it run longer.
    /// </summary>
    public static float[] Decode(string path, int sampleRate = 22050, MediaLimits? limits = null) =>
        Decode(FfmpegInput.File(path), sampleRate, limits);

    /// <summary>Audio held in memory (named <paramref name="source"/> in errors) → mono samples, as <see cref="Decode(string, int, MediaLimits?)"/>.</summary>
    public static float[] DecodeBytes(byte[] bytes, string source, int sampleRate = 22050, MediaLimits? limits = null) =>
        Decode(FfmpegInput.Bytes(bytes, source), sampleRate, limits);

    private static float[] Decode(FfmpegInput input, int sampleRate, MediaLimits? limits)
    {
        limits ??= MediaLimits.Default;
        Check(input, limits);
        var path = input.Source;
        double stopAt = limits.MaxAudioSeconds + 1;
        long maxSamples = (long)Math.Ceiling(limits.MaxAudioSeconds * sampleRate);
        var r = Ffmpeg.Run("ffmpeg", ["-v", "error", "-nostdin", "-i", input.Argument, "-vn", "-ac", "1",
            "-ar", sampleRate.ToString(CultureInfo.InvariantCulture), "-t", stopAt.ToString(CultureInfo.InvariantCulture), "-f", "f32le", "-"],
            input.Stdin, timeout: limits.DecodeTimeout, maxOutputBytes: 4 * (maxSamples + 1), source: path);
        if (r.Capped || r.Stdout.Length / 4 > maxSamples)
            throw new MediaLimitException(path, "duration", $"at most {MediaLimits.Format(limits.MaxAudioSeconds)} seconds", "a longer stream than its header says");
        if (r.ExitCode != 0)
            throw new InputException(path, "", Expected, Ffmpeg.LastLine(r.Stderr));
        if (r.Stdout.Length < 4)
            throw new InputException(path, "", "at least one audio sample", "no samples");
        return MemoryMarshal.Cast<byte, float>(r.Stdout.AsSpan(0, r.Stdout.Length / 4 * 4)).ToArray();
    }

    /// <summary>Checks an audio file's header (an audio stream ffprobe reads, its duration) without decoding it.</summary>
    public static void Check(string path, MediaLimits? limits = null) => Check(FfmpegInput.File(path), limits ?? MediaLimits.Default);

    /// <summary>Checks the header of audio held in memory (named <paramref name="source"/> in errors), as <see cref="Check(string, MediaLimits?)"/>.</summary>
    public static void CheckBytes(byte[] bytes, string source, MediaLimits? limits = null) => Check(FfmpegInput.Bytes(bytes, source), limits ?? MediaLimits.Default);

    private static void Check(FfmpegInput input, MediaLimits limits)
    {
        input.CheckNotEmpty(Expected);
        var header = Ffmpeg.Probe(input, "a:0", Expected, limits.DecodeTimeout);
        if (header.Seconds is { } seconds) MediaLimits.CheckSeconds(input.Source, seconds, limits.MaxAudioSeconds);
        limits.CheckAudioFormat(input.Source, header.SampleRate, header.Channels);
    }

    /// <summary>Audio file → spectrogram picture (the audio path up to the image path).</summary>
    public static RgbImage SpectrogramPicture(string path, SpectrogramOptions options, MediaLimits? limits = null) =>
        Spectrogram.Picture(Decode(path, options.SampleRate, limits), options);
}
