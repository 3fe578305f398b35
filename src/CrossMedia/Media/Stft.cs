using CrossMedia.Torch;
using TorchSharp;

namespace CrossMedia.Media;

/// <summary>
/// Short-time Fourier transform magnitudes with librosa's conventions, computed by libtorch's stft: a
/// periodic Hann window of length n_fft, frames centred on t·hop by padding n_fft/2 samples at both ends,
/// 1 + ⌊len/hop⌋ frames. The padding is a reflection (without repeating the edge sample), librosa's
/// default up to 0.9 and so what the 2019 reference used (librosa 0.10 switched to zero padding); it is
/// done here rather than by stft's own padding, which refuses signals shorter than the pad. Double
/// precision throughout, so the magnitudes round to the same floats as any exact transform.
/// </summary>
internal static class Stft
{
    /// <summary>Number of centred frames for a signal of <paramref name="length"/> samples.</summary>
    public static int FrameCount(int length, int hop) => 1 + length / hop;

    /// <summary>|STFT| as frames × (n_fft/2 + 1) bins.</summary>
    public static Spectrogram Magnitude(ReadOnlySpan<float> signal, int fftSize, int hop)
    {
        if (signal.Length == 0) throw new ArgumentException("cannot transform an empty signal");
        if (hop < 1) throw new ArgumentOutOfRangeException(nameof(hop));
        int pad = fftSize / 2;
        var padded = new double[signal.Length + 2 * pad];
        for (int i = 0; i < padded.Length; i++) padded[i] = signal[Reflect(i - pad, signal.Length)];
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var window = torch.hann_window(fftSize, periodic: true, dtype: torch.float64);
        var frames = torch.stft(torch.tensor(padded), fftSize, hop, fftSize, window, center: false, onesided: true, return_complex: true);
        var magnitudes = frames.abs().t().to_type(torch.float32).contiguous(); // [frames, bins]
        return new Spectrogram((int)magnitudes.shape[0], (int)magnitudes.shape[1], magnitudes.data<float>().ToArray());
    }

    /// <summary>
    /// Index into a signal of length n reflected at both ends without repeating the edge sample
    /// (numpy's 'reflect'); repeats the reflection for pads longer than the signal.
    /// </summary>
    internal static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        int m = ((i % period) + period) % period;
        return m < n ? m : period - m;
    }
}
