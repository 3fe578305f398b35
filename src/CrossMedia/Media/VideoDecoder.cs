using System.Globalization;
using System.Text;

namespace CrossMedia.Media;

/// <summary>Uniformly sampled frames of a video file, decoded by ffmpeg.</summary>
internal static class VideoDecoder
{
    private const string Expected = "a video ffmpeg can decode";

    /// <summary>
    /// Width, height and exact frame count (ffprobe decodes the stream to count, so the header is
    /// checked against <paramref name="limits"/> first and the count runs under its timeout).
    /// </summary>
    public static (int Width, int Height, int Frames) Probe(string path, MediaLimits? limits = null) =>
        Probe(FfmpegInput.File(path), limits ?? MediaLimits.Default);

    private static (int Width, int Height, int Frames) Probe(FfmpegInput input, MediaLimits limits)
    {
        Check(input, limits);
        var path = input.Source;
        var r = Ffmpeg.Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames",
            "-show_entries", "stream=width,height,nb_read_frames", "-of", "csv=p=0", input.Argument], input.Stdin,
            timeout: limits.DecodeTimeout, maxOutputBytes: 1 << 16, source: path);
        var parts = Encoding.UTF8.GetString(r.Stdout).Trim().Split('\n')[0].Trim().Split(',');
        if (r.ExitCode != 0 || parts.Length < 3
            || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var w)
            || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var h)
            || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out var n))
            throw new InputException(path, "", Expected, r.ExitCode != 0 ? Ffmpeg.LastLine(r.Stderr) : "no video stream");
        if (w < 1 || h < 1 || n < 1) throw new InputException(path, "", "a video with at least one frame", $"{w}x{h}, {n} frames");
        limits.CheckPicture(path, w, h, limits.MaxVideoFramePixels);
        limits.CheckFrames(path, n);
        return (w, h, n);
    }

    /// <summary>Checks a video file's header (frame size, duration, frame count) without decoding it.</summary>
    public static void Check(string path, MediaLimits? limits = null) => Check(FfmpegInput.File(path), limits ?? MediaLimits.Default);

    /// <summary>Checks the header of a video held in memory (named <paramref name="source"/> in errors), as <see cref="Check(string, MediaLimits?)"/>.</summary>
    public static void CheckBytes(byte[] bytes, string source, MediaLimits? limits = null) => Check(FfmpegInput.Bytes(bytes, source), limits ?? MediaLimits.Default);

    private static void Check(FfmpegInput input, MediaLimits limits)
    {
        input.CheckNotEmpty(Expected);
        var path = input.Source;
        var header = Ffmpeg.Probe(input, "v:0", Expected, limits.DecodeTimeout);
        limits.CheckPicture(path, header.Width, header.Height, limits.MaxVideoFramePixels);
        if (header.Seconds is { } seconds) MediaLimits.CheckSeconds(path, seconds, limits.MaxVideoSeconds);
        if (header.Frames is { } frames) limits.CheckFrames(path, frames);
    }

    /// <summary>
    /// <paramref name="count"/> frames sampled with <see cref="FrameSampling.Uniform"/>; only the distinct
    /// sampled frames are converted (ffmpeg's select filter), repeats are shared.
    /// </summary>
    public static RgbImage[] SampleFrames(string path, int count, MediaLimits? limits = null) =>
        SampleFrames(FfmpegInput.File(path), count, limits ?? MediaLimits.Default);

    /// <summary>A video held in memory (named <paramref name="source"/> in errors), sampled as <see cref="SampleFrames(string, int, MediaLimits?)"/>.</summary>
    public static RgbImage[] SampleFrameBytes(byte[] bytes, string source, int count, MediaLimits? limits = null) =>
        SampleFrames(FfmpegInput.Bytes(bytes, source), count, limits ?? MediaLimits.Default);

    private static RgbImage[] SampleFrames(FfmpegInput input, int count, MediaLimits limits)
    {
        var path = input.Source;
        var (w, h, n) = Probe(input, limits);
        var wanted = FrameSampling.Uniform(n, count);
        var distinct = wanted.Distinct().Order().ToArray();
        var select = "select='" + string.Join("+", distinct.Select(i => $"eq(n\\,{i.ToString(CultureInfo.InvariantCulture)})")) + "'";
        int frameBytes = w * h * 3;
        // -noautorotate: frames keep the stored orientation, the size ffprobe reported. The output
        // cap is the selected frames' size: a stream that grows past it is cut off.
        var r = Ffmpeg.Run("ffmpeg", ["-v", "error", "-nostdin", "-noautorotate", "-i", input.Argument, "-map", "0:v:0", "-vf", select,
            "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], input.Stdin,
            timeout: limits.DecodeTimeout, maxOutputBytes: (long)frameBytes * distinct.Length, source: path);
        if (r.ExitCode != 0 && !r.Capped) throw new InputException(path, "", Expected, Ffmpeg.LastLine(r.Stderr));
        int got = r.Stdout.Length / frameBytes;
        if (got == 0) throw new InputException(path, "", "decodable video frames", "none");
        var frames = new RgbImage[got];
        for (int i = 0; i < got; i++) frames[i] = RgbImage.FromRgb24(r.Stdout.AsSpan(i * frameBytes, frameBytes), w, h);
        // Frames map to the sorted distinct indices; if the decoder produced fewer than counted
        // (rare, e.g. a damaged tail), the last decoded one stands in for the missing ones.
        var byIndex = new Dictionary<int, RgbImage>();
        for (int i = 0; i < distinct.Length; i++) byIndex[distinct[i]] = frames[Math.Min(i, got - 1)];
        return wanted.Select(i => byIndex[i]).ToArray();
    }
}
