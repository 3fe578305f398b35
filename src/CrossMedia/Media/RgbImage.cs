using CrossMedia.Core;
using SkiaSharp;

namespace CrossMedia.Media;

/// <summary>
/// An RGB picture with float samples on the 0..255 scale, row-major, interleaved (HWC). Floats so
/// alpha compositing and resampling add no rounding of their own.
/// </summary>
public sealed class RgbImage
{
    public int Width { get; }
    public int Height { get; }
    /// <summary>Height × Width × 3 samples, row by row, R G B per pixel.</summary>
    public float[] Pixels { get; }

    public RgbImage(int width, int height, float[] pixels)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height}");
        if (pixels.Length != width * height * 3)
            throw new ArgumentException($"expected {width * height * 3} samples for {width}x{height} RGB, got {pixels.Length}");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public RgbImage(int width, int height) : this(width, height, new float[width * height * 3]) { }

    /// <summary>Sample of channel <paramref name="c"/> (0 = R) at column x, row y.</summary>
    public float this[int x, int y, int c] => Pixels[(y * Width + x) * 3 + c];

    /// <summary>An image from 8-bit RGB bytes (e.g. an ffmpeg rgb24 frame).</summary>
    public static RgbImage FromRgb24(ReadOnlySpan<byte> rgb, int width, int height)
    {
        var px = new float[width * height * 3];
        for (int i = 0; i < px.Length; i++) px[i] = rgb[i];
        return new RgbImage(width, height, px);
    }

    /// <summary>8-bit RGB bytes, rounded and clamped.</summary>
    public byte[] ToRgb24()
    {
        var bytes = new byte[Pixels.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Clamp(MathF.Round(Pixels[i]), 0, 255);
        return bytes;
    }

    /// <summary>Encodes as an 8-bit RGB PNG (opaque).</summary>
    public byte[] EncodePng()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[Width * Height * 4];
        var rgb = ToRgb24();
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Writes a PNG atomically.</summary>
    public void SavePng(string path) => AtomicFile.WriteAllBytes(path, EncodePng());
}
