using System.Globalization;
using System.Text;

namespace CrossMedia.Media;

/// <summary>Uniformly sampled frames of a video file, decoded by ffmpeg.</summary>
public static class VideoDecoder
{
    /// <summary>Width, height and exact frame count (ffprobe decodes the stream to count).</summary>
    public static (int Width, int Height, int Frames) Probe(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found", path);
        var r = Ffmpeg.Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames",
            "-show_entries", "stream=width,height,nb_read_frames", "-of", "csv=p=0", path]);
        var parts = Encoding.UTF8.GetString(r.Stdout).Trim().Split('\n')[0].Trim().Split(',');
        if (r.ExitCode != 0 || parts.Length < 3
            || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var w)
            || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var h)
            || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out var n))
            throw new InputException(path, "", "a video ffmpeg can decode", r.ExitCode != 0 ? Ffmpeg.LastLine(r.Stderr) : "no video stream");
        if (w < 1 || h < 1 || n < 1) throw new InputException(path, "", "a video with at least one frame", $"{w}x{h}, {n} frames");
        return (w, h, n);
    }

    /// <summary>
    /// <paramref name="count"/> frames sampled with <see cref="FrameSampling.Uniform"/>; only the distinct
    /// sampled frames are converted (ffmpeg's select filter), repeats are shared.
    /// </summary>
    public static RgbImage[] SampleFrames(string path, int count)
    {
        var (w, h, n) = Probe(path);
        var wanted = FrameSampling.Uniform(n, count);
        var distinct = wanted.Distinct().Order().ToArray();
        var select = "select='" + string.Join("+", distinct.Select(i => $"eq(n\\,{i.ToString(CultureInfo.InvariantCulture)})")) + "'";
        // -noautorotate: frames keep the stored orientation, the size ffprobe reported.
        var r = Ffmpeg.Run("ffmpeg", ["-v", "error", "-nostdin", "-noautorotate", "-i", path, "-map", "0:v:0", "-vf", select,
            "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
        if (r.ExitCode != 0) throw new InputException(path, "", "a video ffmpeg can decode", Ffmpeg.LastLine(r.Stderr));
        int frameBytes = w * h * 3;
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
