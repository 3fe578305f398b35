namespace CrossMedia.Media;

/// <summary>
/// Short-time Fourier transform magnitudes with librosa's conventions: a periodic Hann window
/// of length n_fft (w[t] = 0.5 − 0.5·cos(2πt/n_fft), scipy's `get_window('hann', n, fftbins=True)`),
/// frames centred on t·hop by padding n_fft/2 samples at both ends, 1 + ⌊len/hop⌋ frames.
/// The padding is a reflection (without repeating the edge sample), librosa's default up to 0.9
/// and so what the 2019 reference used; librosa 0.10 switched its default to zero padding.
/// </summary>
internal static class Stft
{
    /// <summary>Number of centred frames for a signal of <paramref name="length"/> samples.</summary>
    public static int FrameCount(int length, int hop) => 1 + length / hop;

    /// <summary>The periodic Hann window of length n.</summary>
    public static double[] HannWindow(int n)
    {
        var w = new double[n];
        for (int t = 0; t < n; t++) w[t] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * t / n);
        return w;
    }

    /// <summary>|STFT| as frames × (n_fft/2 + 1) bins.</summary>
    public static Spectrogram Magnitude(ReadOnlySpan<float> signal, int fftSize, int hop)
    {
        if (signal.Length == 0) throw new ArgumentException("cannot transform an empty signal");
        if (hop < 1) throw new ArgumentOutOfRangeException(nameof(hop));
        int frames = FrameCount(signal.Length, hop);
        int bins = fftSize / 2 + 1;
        int pad = fftSize / 2;
        var window = HannWindow(fftSize);
        var values = new float[frames * bins];
        var re = new double[fftSize];
        var im = new double[fftSize];
        for (int f = 0; f < frames; f++)
        {
            int origin = f * hop - pad;
            for (int t = 0; t < fftSize; t++)
            {
                re[t] = signal[Reflect(origin + t, signal.Length)] * window[t];
                im[t] = 0;
            }
            Fft.Forward(re, im);
            for (int k = 0; k < bins; k++)
                values[f * bins + k] = (float)Math.Sqrt(re[k] * re[k] + im[k] * im[k]);
        }
        return new Spectrogram(frames, bins, values);
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
