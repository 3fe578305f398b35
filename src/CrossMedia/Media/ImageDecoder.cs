using System.Globalization;
using SkiaSharp;

namespace CrossMedia.Media;

/// <summary>
/// Decodes picture files to RGB: PNG, JPEG, WebP, GIF (first frame) and BMP with SkiaSharp; SVG
/// is rasterised by ffmpeg's librsvg decoder (Debian's ffmpeg is built with it, so no extra
/// package or NuGet rasteriser is needed — none that works with SkiaSharp 3 is available).
/// Transparent pixels are composited onto white, as the clip art is drawn on white paper.
/// </summary>
internal static class ImageDecoder
{
    private const string Expected = "a picture (PNG, JPEG, WebP, GIF, BMP or SVG)";

    /// <summary>
    /// Decodes a picture file. <paramref name="svgShorterSide"/> is the shorter side an SVG is rendered at;
    /// the size is checked against <paramref name="limits"/> (default <see cref="MediaLimits.Default"/>) from the header.
    /// </summary>
    public static RgbImage Decode(string path, int svgShorterSide = 512, MediaLimits? limits = null)
    {
        limits ??= MediaLimits.Default;
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found", path);
        if (IsSvg(path))
            return DecodeBytes(RasteriseSvg(path, svgShorterSide, limits), path, limits);
        return DecodeBytes(File.ReadAllBytes(path), path, limits);
    }

    /// <summary>Checks a picture file's header (format and size) without decoding its pixels.</summary>
    public static void Check(string path, int svgShorterSide = 512, MediaLimits? limits = null)
    {
        limits ??= MediaLimits.Default;
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found", path);
        if (IsSvg(path))
        {
            SvgSize(path, svgShorterSide, limits);
            return;
        }
        using var stream = File.OpenRead(path);
        using var codec = OpenCodec(new SKManagedStream(stream), stream.Length, path, limits);
    }

    /// <summary>Checks the header (format and size) of encoded picture bytes named <paramref name="source"/>, without decoding pixels.</summary>
    public static void CheckBytes(byte[] bytes, string source, MediaLimits? limits = null)
    {
        using var stream = new SKMemoryStream(bytes);
        using var codec = OpenCodec(stream, bytes.Length, source, limits ?? MediaLimits.Default);
    }

    /// <summary>Decodes encoded picture bytes; <paramref name="source"/> names them in errors.</summary>
    public static RgbImage DecodeBytes(byte[] bytes, string source, MediaLimits? limits = null)
    {
        using var stream = new SKMemoryStream(bytes);
        using var codec = OpenCodec(stream, bytes.Length, source, limits ?? MediaLimits.Default);
        var size = codec.Info;
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

    /// <summary>The codec of an encoded picture after its header passed the checks (the pixels are not decoded yet).</summary>
    private static SKCodec OpenCodec(SKStream stream, long length, string source, MediaLimits limits)
    {
        if (length == 0) throw new InputException(source, "", Expected, "an empty file");
        var codec = SKCodec.Create(stream, out var status)
            ?? throw new InputException(source, "", Expected, $"undecodable data ({status})");
        try
        {
            limits.CheckPicture(source, codec.Info.Width, codec.Info.Height, limits.MaxPixels);
            return codec;
        }
        catch
        {
            codec.Dispose();
            throw;
        }
    }

    private static bool IsSvg(string path) => Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase);

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
    private static byte[] RasteriseSvg(string path, int shorterSide, MediaLimits limits)
    {
        var (width, height) = SvgSize(path, shorterSide, limits);
        var r = Ffmpeg.Run("ffmpeg", ["-v", "error", "-nostdin", "-width", width.ToString(CultureInfo.InvariantCulture), "-keep_ar", "1",
            "-i", path, "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-pix_fmt", "rgba", "-"],
            timeout: limits.DecodeTimeout, maxOutputBytes: 64 + 8L * width * height, source: path);
        if (r.ExitCode != 0 || r.Stdout.Length == 0 || r.Capped)
            throw new InputException(path, "", SvgExpected, r.Capped ? "a larger picture than its header says" : Ffmpeg.LastLine(r.Stderr));
        return r.Stdout;
    }

    private const string SvgExpected = "an SVG picture ffmpeg/librsvg can render";

    /// <summary>The size an SVG is rendered at (shorter side <paramref name="shorterSide"/>), checked against the limits.</summary>
    private static (int Width, int Height) SvgSize(string path, int shorterSide, MediaLimits limits)
    {
        var header = Ffmpeg.Probe(path, "v:0", SvgExpected, limits.DecodeTimeout);
        if (header.Width < 1 || header.Height < 1) throw new InputException(path, "size", SvgExpected, $"{header.Width}x{header.Height}");
        // The aspect ratio is the file's; the size is what rendering at the shorter side makes of it.
        limits.CheckPicture(path, header.Width, header.Height, long.MaxValue);
        double scale = (double)shorterSide / Math.Min(header.Width, header.Height);
        int width = (int)Math.Round(header.Width * scale), height = (int)Math.Round(header.Height * scale);
        limits.CheckPicture(path, width, height, limits.MaxPixels);
        return (width, height);
    }
}
