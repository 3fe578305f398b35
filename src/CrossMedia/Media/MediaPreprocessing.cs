using System.Globalization;

namespace CrossMedia.Media;

/// <summary>How a decoded picture (image, video frame or spectrogram) becomes a network input.</summary>
public sealed record MediaPreprocessing
{
    /// <summary>Side of the square centre crop fed to the network (FGCrossNet: 448).</summary>
    public int InputSize { get; init; } = 448;
    /// <summary>Size the picture is resized to before cropping (FGCrossNet: 512); must be ≥ InputSize.</summary>
    public int ResizeSize { get; init; } = 512;
    /// <summary>Whether the shorter side or both sides are resized to <see cref="ResizeSize"/>.</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.ShorterSide;
    /// <summary>Per-channel mean (RGB, on the 0..1 scale) subtracted before dividing by <see cref="Std"/>; ImageNet's by default.</summary>
    public IReadOnlyList<float> Mean { get; init; } = [0.485f, 0.456f, 0.406f];
    /// <summary>Per-channel standard deviation (RGB, 0..1 scale); ImageNet's by default.</summary>
    public IReadOnlyList<float> Std { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>The FGCrossNet reference: 512×512 squash, 448 crop, ImageNet statistics.</summary>
    public static MediaPreprocessing Reference { get; } = new() { Resize = ResizeMode.Square };

    /// <summary>A smaller input for tests and CPU demos: resize to <paramref name="resize"/>, crop <paramref name="input"/>.</summary>
    public static MediaPreprocessing Small(int input, int resize) => new() { InputSize = input, ResizeSize = resize };

    /// <summary>Throws <see cref="InputException"/> when the settings are inconsistent.</summary>
    public void Validate()
    {
        if (InputSize < 1) throw new InputException("preprocessing", "input size", "a positive size", InputSize.ToString(CultureInfo.InvariantCulture));
        if (ResizeSize < InputSize) throw new InputException("preprocessing", "resize size", $"at least the input size {InputSize}", ResizeSize.ToString(CultureInfo.InvariantCulture));
        if (Mean.Count != 3 || Std.Count != 3) throw new InputException("preprocessing", "normalisation", "3 means and 3 standard deviations (RGB)", $"{Mean.Count} and {Std.Count}");
        if (Std.Any(s => !(s > 0))) throw new InputException("preprocessing", "std", "positive values", string.Join(",", Std));
    }

    /// <summary>A canonical text of every setting, part of decoded-cache keys.</summary>
    public string Fingerprint() => string.Create(CultureInfo.InvariantCulture,
        $"in={InputSize};rs={ResizeSize};mode={Resize};mean={string.Join(",", Mean.Select(m => m.ToString("R", CultureInfo.InvariantCulture)))};std={string.Join(",", Std.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))}");
}
