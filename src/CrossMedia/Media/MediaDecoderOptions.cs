namespace CrossMedia.Media;

/// <summary>Settings of a <see cref="MediaDecoder"/>.</summary>
public sealed record MediaDecoderOptions
{
    /// <summary>Resize, crop and normalisation of every picture (images, frames, spectrograms).</summary>
    public MediaPreprocessing Preprocessing { get; init; } = new();
    /// <summary>How audio is turned into a spectrogram picture.</summary>
    public SpectrogramOptions Spectrogram { get; init; } = new();
    /// <summary>Frames sampled uniformly per video (FGCrossNet: 25).</summary>
    public int FramesPerVideo { get; init; } = 25;
    /// <summary>Files decoded at the same time (threads running ffmpeg / Skia).</summary>
    public int Workers { get; init; } = Math.Max(1, Math.Min(4, Environment.ProcessorCount));
    /// <summary>Decoded items held ready ahead of the consumer (bounds memory).</summary>
    public int Prefetch { get; init; } = 16;
    /// <summary>Folder for the on-disk cache of decoded tensors; null = no cache.</summary>
    public string? CacheDirectory { get; init; }
    /// <summary>What one file may demand (size, duration, frames, time), checked before decoding.</summary>
    public MediaLimits Limits { get; init; } = MediaLimits.Default;

    public void Validate()
    {
        Preprocessing.Validate();
        Spectrogram.Validate();
        Limits.Validate();
        if (FramesPerVideo < 1) throw new InputException("decoder", "frames per video", "at least 1", FramesPerVideo.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Workers < 1) throw new InputException("decoder", "workers", "at least 1", Workers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Prefetch < 1) throw new InputException("decoder", "prefetch", "at least 1", Prefetch.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
