using System.Globalization;

namespace CrossMedia.Media;

/// <summary>Encodes RGB frames as an MP4 (H.264 when ffmpeg has libx264, else MPEG-4 part 2).</summary>
internal static class VideoEncoder
{
    /// <summary>
    /// Writes frames (all the same size, even width and height) as MP4 at <paramref name="fps"/>;
    /// single-threaded bit-exact encoding so the same frames give the same file. Written atomically.
    /// </summary>
    public static void WriteMp4(string path, IReadOnlyList<RgbImage> frames, int fps)
    {
        if (frames.Count == 0) throw new ArgumentException("no frames to encode");
        int w = frames[0].Width, h = frames[0].Height;
        if (frames.Any(f => f.Width != w || f.Height != h)) throw new ArgumentException("frames differ in size");
        var raw = new byte[frames.Count * w * h * 3];
        for (int i = 0; i < frames.Count; i++) frames[i].ToRgb24().CopyTo(raw, i * w * h * 3);
        var input = new[] { "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{w}x{h}", "-r", fps.ToString(CultureInfo.InvariantCulture), "-i", "-" };
        Encode(path, input, [], raw);
    }

    /// <summary>Runs ffmpeg with the given input and filter arguments into an MP4 at <paramref name="path"/>, atomically.</summary>
    internal static void Encode(string path, IEnumerable<string> input, IEnumerable<string> filters, byte[]? stdin = null)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(full)}.{Guid.NewGuid():N}.tmp.mp4");
        try
        {
            var args = new List<string> { "-v", "error", "-y", "-nostdin" };
            args.AddRange(input);
            args.AddRange(filters);
            args.AddRange(["-c:v", Ffmpeg.VideoEncoder, "-pix_fmt", "yuv420p", "-threads", "1",
                "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1", tmp]);
            if (stdin is not null) args.Remove("-nostdin");
            var r = Ffmpeg.Run("ffmpeg", args, stdin);
            if (r.ExitCode != 0 || !File.Exists(tmp))
                throw new InputException(path, "", "ffmpeg to encode the video", Ffmpeg.LastLine(r.Stderr));
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
