namespace CrossMedia.Media;

/// <summary>A time × frequency grid of values (magnitudes or dB), frame-major.</summary>
public sealed class Spectrogram
{
    /// <summary>Number of time frames.</summary>
    public int Frames { get; }
    /// <summary>Number of frequency bins (n_fft/2 + 1); bin k is k·sr/n_fft Hz.</summary>
    public int Bins { get; }
    /// <summary>Frames × Bins values; value of frame f, bin k at f·Bins + k.</summary>
    public float[] Values { get; }

    public Spectrogram(int frames, int bins, float[] values)
    {
        if (values.Length != frames * bins) throw new ArgumentException($"expected {frames * bins} values, got {values.Length}");
        Frames = frames;
        Bins = bins;
        Values = values;
    }

    public float this[int frame, int bin] => Values[frame * Bins + bin];

    /// <summary>
    /// Amplitudes → dB relative to the maximum, 20·log10(max(a, 1e-5) / max(max a, 1e-5)), floored at
    /// −<paramref name="topDb"/> (librosa's amplitude_to_db(S, ref=np.max) with its default amin and top_db).
    /// </summary>
    public Spectrogram ToDecibels(float topDb = 80f)
    {
        const double amin = 1e-5;
        double max = Math.Max(amin, Values.Max());
        var db = new float[Values.Length];
        for (int i = 0; i < db.Length; i++)
            db[i] = (float)Math.Max(20 * Math.Log10(Math.Max(amin, Values[i]) / max), -topDb);
        return new Spectrogram(Frames, Bins, db);
    }

    /// <summary>
    /// Renders dB values as a magma picture: time left→right, frequency bottom→top (linear
    /// axis), −<paramref name="topDb"/>..0 dB mapped onto the colour map's 0..1. Each pixel samples
    /// the grid bilinearly at its centre, so any picture size shows the whole spectrogram.
    /// </summary>
    public RgbImage Render(int width, int height, float topDb = 80f)
    {
        var px = new float[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            // Row 0 is the top of the picture = the highest frequency.
            double bin = (height - 1 - y + 0.5) * Bins / height - 0.5;
            int b0 = Math.Clamp((int)Math.Floor(bin), 0, Bins - 1), b1 = Math.Min(b0 + 1, Bins - 1);
            double fb = Math.Clamp(bin - b0, 0, 1);
            for (int x = 0; x < width; x++)
            {
                double frame = (x + 0.5) * Frames / width - 0.5;
                int f0 = Math.Clamp((int)Math.Floor(frame), 0, Frames - 1), f1 = Math.Min(f0 + 1, Frames - 1);
                double ff = Math.Clamp(frame - f0, 0, 1);
                double v = (1 - ff) * ((1 - fb) * this[f0, b0] + fb * this[f0, b1]) + ff * ((1 - fb) * this[f1, b0] + fb * this[f1, b1]);
                var (r, g, b) = MagmaColorMap.Map((v + topDb) / topDb);
                int o = (y * width + x) * 3;
                px[o] = r * 255f;
                px[o + 1] = g * 255f;
                px[o + 2] = b * 255f;
            }
        }
        return new RgbImage(width, height, px);
    }

    /// <summary>Waveform → magnitude STFT → dB → magma picture, all with <paramref name="options"/>.</summary>
    public static RgbImage Picture(ReadOnlySpan<float> samples, SpectrogramOptions options) =>
        Stft.Magnitude(samples, options.FftSize, options.HopLength).ToDecibels(options.TopDb).Render(options.Width, options.Height, options.TopDb);
}
