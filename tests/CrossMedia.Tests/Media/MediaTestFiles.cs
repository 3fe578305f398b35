using CrossMedia.Media;
using SkiaSharp;

namespace CrossMedia.Tests.Media;

/// <summary>A temporary folder for generated media fixtures, deleted on dispose.</summary>
internal sealed class MediaTestFiles : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("crossmedia-media-test-").FullName;

    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>Writes a straight-alpha RGBA picture as PNG.</summary>
    public string Png(string name, int width, int height, Func<int, int, (byte R, byte G, byte B, byte A)> pixel)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var bytes = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b, a) = pixel(x, y);
                int o = (y * width + x) * 4;
                bytes[o] = r; bytes[o + 1] = g; bytes[o + 2] = b; bytes[o + 3] = a;
            }
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        var path = PathOf(name);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    /// <summary>A sine tone as 16-bit WAV.</summary>
    public string Tone(string name, double hz, double seconds, int sampleRate = 22050, float amplitude = 0.5f)
    {
        var s = new float[(int)(seconds * sampleRate)];
        for (int i = 0; i < s.Length; i++) s[i] = amplitude * (float)Math.Sin(2 * Math.PI * hz * i / sampleRate);
        var path = PathOf(name);
        WavWriter.Write(path, s, sampleRate);
        return path;
    }

    /// <summary>A video whose frame i is filled with grey level 10·i (so decoded frames reveal their index).</summary>
    public string GreyRampVideo(string name, int frames, int size = 32, int fps = 10)
    {
        var list = Enumerable.Range(0, frames).Select(i =>
        {
            var img = new RgbImage(size, size);
            Array.Fill(img.Pixels, 10f * i);
            return img;
        }).ToArray();
        var path = PathOf(name);
        VideoEncoder.WriteMp4(path, list, fps);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
