using CrossMedia.Media;
using SkiaSharp;

namespace CrossMedia.Data.Builtin;

/// <summary>Draws the synthetic pictures and video frames: a class shape over a noisy background.</summary>
internal static class SyntheticMediaPainter
{
    /// <summary>A picture of <paramref name="size"/>² pixels: grey noise background, then the shape.</summary>
    public static RgbImage Draw(int size, byte[] background, string shape, SKColor colour, float cx, float cy, float radius, float degrees)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        System.Runtime.InteropServices.Marshal.Copy(background, 0, bitmap.GetPixels(), background.Length);
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = colour, IsAntialias = true, Style = SKPaintStyle.Fill })
        using (var path = ShapePath(shape, radius))
        {
            canvas.Translate(cx, cy);
            canvas.RotateDegrees(degrees);
            if (shape == "ring")
            {
                paint.Style = SKPaintStyle.Stroke;
                paint.StrokeWidth = radius * 0.35f;
            }
            canvas.DrawPath(path, paint);
        }
        var rgba = new byte[size * size * 4];
        System.Runtime.InteropServices.Marshal.Copy(bitmap.GetPixels(), rgba, 0, rgba.Length);
        return ImageDecoder.CompositeOnWhite(rgba, size, size);
    }

    /// <summary>Opaque RGBA noise around a light grey level (the same bytes every time for the same random state).</summary>
    public static byte[] Background(int size, Random rng)
    {
        var bytes = new byte[size * size * 4];
        int level = rng.Next(170, 231);
        for (int i = 0; i < bytes.Length; i += 4)
        {
            int v = Math.Clamp(level + (int)Math.Round(Gaussian(rng) * 14), 0, 255);
            bytes[i] = bytes[i + 1] = bytes[i + 2] = (byte)v;
            bytes[i + 3] = 255;
        }
        return bytes;
    }

    public static double Gaussian(Random rng)
    {
        double u = 1 - rng.NextDouble(), v = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    private static SKPath ShapePath(string shape, float r)
    {
        var path = new SKPath();
        switch (shape)
        {
            case "circle":
            case "ring":
                path.AddCircle(0, 0, r);
                break;
            case "square":
                path.AddRect(new SKRect(-r * 0.8f, -r * 0.8f, r * 0.8f, r * 0.8f));
                break;
            case "triangle":
                path.AddPoly(Polygon(3, r, 0), close: true);
                break;
            case "star":
                path.AddPoly(Enumerable.Range(0, 10).Select(i =>
                {
                    double a = Math.PI * i / 5 - Math.PI / 2;
                    float rr = i % 2 == 0 ? r : r * 0.42f;
                    return new SKPoint((float)(rr * Math.Cos(a)), (float)(rr * Math.Sin(a)));
                }).ToArray(), close: true);
                break;
            default: // cross
                float w = r * 0.3f;
                path.AddRect(new SKRect(-r, -w, r, w));
                path.AddRect(new SKRect(-w, -r, w, r));
                break;
        }
        return path;
    }

    private static SKPoint[] Polygon(int n, float r, double phase) => Enumerable.Range(0, n)
        .Select(i => 2 * Math.PI * i / n - Math.PI / 2 + phase)
        .Select(a => new SKPoint((float)(r * Math.Cos(a)), (float)(r * Math.Sin(a)))).ToArray();
}
