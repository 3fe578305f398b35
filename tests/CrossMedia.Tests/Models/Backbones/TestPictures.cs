using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.Backbones;

/// <summary>
/// Minimal picture → tensor for backbone tests: decode with SkiaSharp, bilinear resize to a square,
/// RGB in [0, 1], NCHW. (The library's media decoding lives in CrossMedia.Media; tests of the
/// backbone only need this much and stay independent of it.)
/// </summary>
internal static class TestPictures
{
    public static Tensor Load(string path, int size)
    {
        using var decoded = SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path}: not a picture");
        using var resized = decoded.Resize(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul),
            new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
            ?? throw new InvalidDataException($"{path}: resize failed");
        var bytes = resized.Bytes;
        var data = new float[3 * size * size];
        for (var i = 0; i < size * size; i++)
            for (var c = 0; c < 3; c++)
                data[c * size * size + i] = bytes[i * 4 + c] / 255f;
        return torch.tensor(data, [1, 3, size, size]);
    }
}
