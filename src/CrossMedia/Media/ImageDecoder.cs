using System.Globalization;
using SkiaSharp;

namespace CrossMedia.Media;

/// <summary>
/// Decodes picture files to RGB: PNG, JPEG, WebP, GIF (first frame) and BMP with SkiaSharp; SVG
/// is rasterised by ffmpeg's librsvg decoder (Debian's ffmpeg is built with it, so no extra
/// package or NuGet rasteriser is needed — none that works with SkiaSharp 3 is available).
/// Transparent pixels are composited onto white, as the clip art is drawn on white paper.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Decodes a picture file. <paramref name="svgShorterSide"/> is the shorter side an SVG is rendered at.</summary>
    public static RgbImage Decode(string path, int svgShorterSide = 512)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found", path);
        if (Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase))
            return DecodeBytes(RasteriseSvg(path, svgShorterSide), path);
        return DecodeBytes(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes encoded picture bytes; <paramref name="source"/> names them in errors.</summary>
    public static RgbImage DecodeBytes(byte[] bytes, string source)
    {
        if (bytes.Length == 0) throw new InputException(source, "", "a picture (PNG, JPEG, WebP, GIF, BMP or SVG)", "an empty file");
        using var stream = new SKMemoryStream(bytes);
        using var codec = SKCodec.Create(stream, out var status);
        if (codec is null)
            throw new InputException(source, "", "a picture (PNG, JPEG, WebP, GIF, BMP or SVG)", $"undecodable data ({status})");
        var size = codec.Info;
        if (size.Width < 1 || size.Height < 1 || (long)size.Width * size.Height > 100_000_000)
            throw new InputException(source, "size", "1 to 100 megapixels", $"{size.Width}x{size.Height}");
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(rgba, System.Runtime.InteropServices.GCHandleType.Pinned);
        SKCodecResult result;
        try
        {
            result = codec.GetPixels(info, handle.AddrOfPinnedObject());
        }
        finally
        {
            handle.Free();
        }
        // IncompleteInput still yields the rows that were present; a truncated file is a defect.
        if (result != SKCodecResult.Success)
            throw new InputException(source, "", "a complete picture", $"a damaged file ({result})");
        return CompositeOnWhite(rgba, info.Width, info.Height);
    }

    /// <summary>Straight-alpha RGBA bytes → RGB over a white background.</summary>
    public static RgbImage CompositeOnWhite(ReadOnlySpan<byte> rgba, int width, int height)
    {
        var px = new float[width * height * 3];
        for (int i = 0, j = 0; j < px.Length; i += 4, j += 3)
        {
            float a = rgba[i + 3] / 255f;
            float white = 255f * (1 - a);
            px[j] = rgba[i] * a + white;
            px[j + 1] = rgba[i + 1] * a + white;
            px[j + 2] = rgba[i + 2] * a + white;
        }
        return new RgbImage(width, height, px);
    }

    /// <summary>SVG → PNG bytes via ffmpeg (librsvg), the shorter side at <paramref name="shorterSide"/> pixels.</summary>
    private static byte[] RasteriseSvg(string path, int shorterSide)
    {
        var probe = Ffmpeg.Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", path]);
        var dims = System.Text.Encoding.UTF8.GetString(probe.Stdout).Trim().Split(',');
        if (probe.ExitCode != 0 || dims.Length != 2
            || !int.TryParse(dims[0], CultureInfo.InvariantCulture, out var w) || !int.TryParse(dims[1], CultureInfo.InvariantCulture, out var h)
            || w < 1 || h < 1)
            throw new InputException(path, "", "an SVG picture ffmpeg/librsvg can render", Ffmpeg.LastLine(probe.Stderr));
        int width = w <= h ? shorterSide : (int)Math.Round((double)shorterSide * w / h);
        var r = Ffmpeg.Run("ffmpeg", ["-v", "error", "-nostdin", "-width", width.ToString(CultureInfo.InvariantCulture), "-keep_ar", "1",
            "-i", path, "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-pix_fmt", "rgba", "-"]);
        if (r.ExitCode != 0 || r.Stdout.Length == 0)
            throw new InputException(path, "", "an SVG picture ffmpeg/librsvg can render", Ffmpeg.LastLine(r.Stderr));
        return r.Stdout;
    }
}
