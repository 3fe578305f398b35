using System.Globalization;

namespace CrossMedia.Media;

/// <summary>How audio becomes a spectrogram picture (FGCrossNet's reference settings by default).</summary>
public sealed record SpectrogramOptions
{
    /// <summary>Sample rate the audio is resampled to (mono), Hz.</summary>
    public int SampleRate { get; init; } = 22050;
    /// <summary>FFT length = window length, samples; a power of two.</summary>
    public int FftSize { get; init; } = 2048;
    /// <summary>Hop between frames, samples.</summary>
    public int HopLength { get; init; } = 512;
    /// <summary>Dynamic range kept below the loudest bin, dB (values under max − TopDb are clipped).</summary>
    public float TopDb { get; init; } = 80f;
    /// <summary>Width of the rendered picture (time axis), pixels; the reference draws 700×700.</summary>
    public int Width { get; init; } = 700;
    /// <summary>Height of the rendered picture (frequency axis, low at the bottom), pixels.</summary>
    public int Height { get; init; } = 700;

    public void Validate()
    {
        if (FftSize < 2 || (FftSize & (FftSize - 1)) != 0) throw new InputException("spectrogram", "n_fft", "a power of two ≥ 2", FftSize.ToString(CultureInfo.InvariantCulture));
        if (HopLength < 1) throw new InputException("spectrogram", "hop", "a positive hop", HopLength.ToString(CultureInfo.InvariantCulture));
        if (SampleRate < 1) throw new InputException("spectrogram", "sample rate", "a positive rate", SampleRate.ToString(CultureInfo.InvariantCulture));
        if (!(TopDb > 0)) throw new InputException("spectrogram", "top dB", "a positive range", TopDb.ToString(CultureInfo.InvariantCulture));
        if (Width < 1 || Height < 1) throw new InputException("spectrogram", "size", "a positive picture size", $"{Width}x{Height}");
    }

    /// <summary>A canonical text of every setting, part of decoded-cache keys.</summary>
    public string Fingerprint() => string.Create(CultureInfo.InvariantCulture,
        $"sr={SampleRate};nfft={FftSize};hop={HopLength};top={TopDb:R};w={Width};h={Height}");
}
