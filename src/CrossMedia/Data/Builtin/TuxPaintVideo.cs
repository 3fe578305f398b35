using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CrossMedia.Core;
using CrossMedia.Media;

namespace CrossMedia.Data.Builtin;

/// <summary>
/// The derived video medium of the TuxPaint dataset: each picture, flattened onto white in a
/// square, becomes a short MP4 that zooms in or out by 30 % while panning across (ffmpeg's
/// zoompan filter), direction chosen per stamp from its id. Cached under
/// CACHE/tuxpaint/video-derived-&lt;settings hash&gt;/&lt;stamp id&gt;.mp4; existing files are reused.
/// </summary>
internal static class TuxPaintVideo
{
    public static Dictionary<string, string> Generate(IReadOnlyList<TuxPaintStamp> stamps, TuxPaintOptions o,
        List<MediaProblem> problems, IProgress<string>? progress)
    {
        var settings = string.Create(CultureInfo.InvariantCulture, $"v1;size={o.VideoSize};s={o.VideoSeconds:R};fps={o.VideoFps}");
        var hash = Checksum.Sha256(settings)[..12];
        var folder = Path.Combine(o.CacheRoot ?? SyntheticMediaDataset.DefaultRoot(), "tuxpaint", $"video-derived-{hash}");
        var result = new Dictionary<string, string>();
        var gate = new object();
        int done = 0;
        Parallel.ForEach(stamps, new ParallelOptions { MaxDegreeOfParallelism = o.Workers }, stamp =>
        {
            var path = Path.Combine(folder, stamp.Id + ".mp4");
            try
            {
                if (!File.Exists(path)) Make(stamp, path, o);
                lock (gate) result[stamp.Id] = path;
            }
            catch (Exception e) when (e is InputException or IOException or UnauthorizedAccessException)
            {
                lock (gate) problems.Add(new MediaProblem(stamp.Picture, e.Message));
            }
            int n = Interlocked.Increment(ref done);
            if (n % 50 == 0 || n == stamps.Count) progress?.Report($"derived videos: {n}/{stamps.Count}");
        });
        return result;
    }

    private static void Make(TuxPaintStamp stamp, string path, TuxPaintOptions o)
    {
        // ffmpeg's pad/zoompan would drop the alpha channel onto black; flatten first, at twice the
        // output size so zoompan's integer crop positions do not make the motion jerky.
        int side = 2 * o.VideoSize;
        var flat = Flatten(ImageDecoder.Decode(stamp.Picture, side), side);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var png = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.png");
        try
        {
            File.WriteAllBytes(png, flat.EncodePng());
            int frames = Math.Max(2, (int)Math.Round(o.VideoSeconds * o.VideoFps));
            int last = frames - 1;
            byte h = SHA256.HashData(Encoding.UTF8.GetBytes(stamp.Id))[0];
            string zoom = (h & 1) == 0 ? $"1+0.3*on/{last}" : $"1.3-0.3*on/{last}";
            string pan = (h & 2) == 0 ? $"on/{last}" : $"(1-on/{last})";
            var filter = string.Create(CultureInfo.InvariantCulture,
                $"zoompan=z='{zoom}':x='(iw-iw/zoom)*{pan}':y='(ih-ih/zoom)/2':d={frames}:s={o.VideoSize}x{o.VideoSize}:fps={o.VideoFps}");
            VideoEncoder.Encode(path, ["-i", png], ["-vf", filter, "-frames:v", frames.ToString(CultureInfo.InvariantCulture)]);
        }
        finally
        {
            if (File.Exists(png)) File.Delete(png);
        }
    }

    /// <summary>The picture scaled to fit 90 % of a white square of <paramref name="side"/> pixels, centred.</summary>
    internal static RgbImage Flatten(RgbImage image, int side)
    {
        double scale = 0.9 * side / Math.Max(image.Width, image.Height);
        int w = Math.Max(1, (int)Math.Round(image.Width * scale)), h = Math.Max(1, (int)Math.Round(image.Height * scale));
        var fitted = ImageTransform.Resize(image, w, h);
        var canvas = new RgbImage(side, side);
        Array.Fill(canvas.Pixels, 255f);
        int left = (side - w) / 2, top = (side - h) / 2;
        for (int y = 0; y < h; y++)
            Array.Copy(fitted.Pixels, y * w * 3, canvas.Pixels, ((top + y) * side + left) * 3, w * 3);
        return canvas;
    }
}
