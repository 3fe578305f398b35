using System.Globalization;
using CrossMedia.Media;

namespace CrossMedia.Encoders;

/// <summary>How <see cref="EncoderCatalog"/> builds an encoder.</summary>
public sealed record EncoderOptions
{
    /// <summary>Where the network runs: "cpu", "cuda" or "cuda:N" (ResNet-18; MiniLM runs on the CPU).</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Pictures per forward pass (ResNet-18) or sentences per model call (MiniLM); 0 = the encoder's default.</summary>
    public int BatchSize { get; init; }

    /// <summary>Compute threads: libtorch's (process-wide; 0 leaves it as set) and ONNX Runtime's (0 = one per core).</summary>
    public int Threads { get; init; }

    /// <summary>Files decoded at the same time while the network runs.</summary>
    public int Workers { get; init; } = Math.Max(1, Math.Min(4, Environment.ProcessorCount));

    /// <summary>Frames sampled uniformly per video (<see cref="FrameSampling"/>); their features are averaged.</summary>
    public int FramesPerVideo { get; init; } = 8;

    /// <summary>How audio becomes a spectrogram picture (FGCrossNet's, by default).</summary>
    public SpectrogramOptions Spectrogram { get; init; } = new();

    /// <summary>What one file may demand, checked from its header before decoding.</summary>
    public MediaLimits Limits { get; init; } = MediaLimits.Default;

    /// <summary>Throws <see cref="InputException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (BatchSize < 0) throw new InputException("batch-size", "", "a positive number", BatchSize.ToString(CultureInfo.InvariantCulture));
        if (Threads < 0) throw new InputException("threads", "", "0 (one per core) or a positive number", Threads.ToString(CultureInfo.InvariantCulture));
        if (Workers < 1) throw new InputException("workers", "", "at least 1", Workers.ToString(CultureInfo.InvariantCulture));
        if (FramesPerVideo < 1) throw new InputException("frames", "", "at least 1", FramesPerVideo.ToString(CultureInfo.InvariantCulture));
        Spectrogram.Validate();
        Limits.Validate();
    }
}
