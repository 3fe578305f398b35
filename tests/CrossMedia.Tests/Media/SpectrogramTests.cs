using CrossMedia.Media;

namespace CrossMedia.Tests.Media;

public class SpectrogramTests
{
    [Theory]
    [InlineData(22050, 512, 44)]   // 1 s: 1 + ⌊22050 / 512⌋
    [InlineData(512, 512, 2)]
    [InlineData(511, 512, 1)]
    [InlineData(100, 512, 1)]      // shorter than half a window: reflection repeats
    public void Magnitude_Should_HaveOneCentredFramePerHopPlusOne(int length, int hop, int frames)
    {
        var s = Stft.Magnitude(new float[length].Select((_, i) => (float)Math.Sin(i * 0.1)).ToArray(), 2048, hop);
        Assert.Equal(frames, s.Frames);
        Assert.Equal(1025, s.Bins);
    }

    [Fact]
    public void Reflect_Should_MirrorWithoutRepeatingTheEdgeLikeNumpy()
    {
        // np.pad(np.arange(4), 5, mode='reflect') = [1 2 3 2 1 | 0 1 2 3 | 2 1 0 1 2]
        int[] expected = [1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2];
        Assert.Equal(expected, Enumerable.Range(-5, 14).Select(i => Stft.Reflect(i, 4)).ToArray());
    }

    [Fact]
    public void Magnitude_Should_MatchNumpy()
    {
        // numpy 1.24: np.abs(np.fft.rfft(np.pad(x, 1024, mode='reflect')[f·512 : f·512 + 2048] · w)) as float32,
        // w = 0.5 − 0.5·cos(2πt/2048), x[i] = float32(sin(0.1 i) + 0.5 sin(0.37 i)), 3,000 samples → 6 frames.
        var s = Stft.Magnitude(TwoSines(3000), 2048, 512);
        Assert.Equal((6, 1025), (s.Frames, s.Bins));
        (int Frame, int Bin, double Value)[] expected =
        [
            (0, 33, 174.09400939941406), (3, 121, 230.80335998535156), (5, 33, 467.9443664550781),
            (2, 500, 1.6065943100329605e-06), (4, 1024, 0.0010066827526316047), (1, 0, 11.325901985168457),
        ];
        foreach (var (f, k, v) in expected) Assert.Equal(v, s[f, k], v * 1e-6 + 1e-9);
        // 100 samples, shorter than the 1,024-sample pad: numpy repeats the reflection.
        var shortSignal = Stft.Magnitude(new float[100].Select((_, i) => (float)Math.Sin(i * 0.1)).ToArray(), 2048, 512);
        foreach (var (k, v) in new[] { (0, 195.2158660888672), (33, 0.7685160040855408), (200, 0.0010920654749497771) })
            Assert.Equal(v, shortSignal[0, k], v * 1e-6 + 1e-9);
    }

    [Theory]
    [InlineData(100, 512)]
    [InlineData(3000, 512)]
    [InlineData(4097, 300)]
    public void Magnitude_Should_EqualTheDftDefinition_AndDrawTheSamePicture(int length, int hop)
    {
        var signal = TwoSines(length);
        var s = Stft.Magnitude(signal, 2048, hop);
        var reference = DefinitionStft(signal, 2048, hop);
        Assert.Equal((reference.Frames, reference.Bins), (s.Frames, s.Bins));
        for (int i = 0; i < s.Values.Length; i++) Assert.Equal(reference.Values[i], s.Values[i], reference.Values[i] * 1e-6 + 1e-9);
        var picture = s.ToDecibels().Render(90, 120);
        var expected = reference.ToDecibels().Render(90, 120);
        for (int y = 0; y < 120; y++)
            for (int x = 0; x < 90; x++)
                for (int c = 0; c < 3; c++) Assert.Equal(expected[x, y, c], picture[x, y, c], 1e-3f);
    }

    private static float[] TwoSines(int length) =>
        new float[length].Select((_, i) => (float)(Math.Sin(0.1 * i) + 0.5 * Math.Sin(0.37 * i))).ToArray();

    /// <summary>The STFT from its definition: |Σ x[t]·w[t]·e^(−2πi·kt/n)| over reflected, centred frames, in double precision.</summary>
    private static Spectrogram DefinitionStft(float[] signal, int n, int hop)
    {
        int frames = 1 + signal.Length / hop, bins = n / 2 + 1;
        var values = new float[frames * bins];
        var frame = new double[n];
        var cos = new double[n];
        var sin = new double[n];
        for (int t = 0; t < n; t++) (cos[t], sin[t]) = (Math.Cos(2 * Math.PI * t / n), -Math.Sin(2 * Math.PI * t / n));
        for (int f = 0; f < frames; f++)
        {
            for (int t = 0; t < n; t++)
                frame[t] = signal[Stft.Reflect(f * hop - n / 2 + t, signal.Length)] * (0.5 - 0.5 * Math.Cos(2 * Math.PI * t / n));
            for (int k = 0; k < bins; k++)
            {
                double re = 0, im = 0;
                for (int t = 0; t < n; t++)
                {
                    int phase = (int)((long)k * t % n); // e^(−2πi·kt/n) from a table of the n roots of unity
                    re += frame[t] * cos[phase];
                    im += frame[t] * sin[phase];
                }
                values[f * bins + k] = (float)Math.Sqrt(re * re + im * im);
            }
        }
        return new Spectrogram(frames, bins, values);
    }

    [Fact]
    public void PureTone_Should_PeakAtItsFrequencyBin()
    {
        using var files = new MediaTestFiles();
        var samples = AudioDecoder.Decode(files.Tone("tone.wav", 1000, 1.0), 22050);
        Assert.InRange(samples.Length, 22050 - 1, 22050 + 1);
        var s = Stft.Magnitude(samples, 2048, 512);
        // 1000 Hz / (22050 / 2048 Hz per bin) = 92.9 → bin 93, in every frame whose window lies inside
        // the signal (the first and last 4 frames see reflected padding, which breaks the phase).
        for (int f = 4; f < s.Frames - 4; f++)
        {
            int best = Enumerable.Range(0, s.Bins).MaxBy(k => s[f, k]);
            Assert.Equal(93, best);
        }
        // Over the whole clip too.
        Assert.Equal(93, Enumerable.Range(0, s.Bins).MaxBy(k => Enumerable.Range(0, s.Frames).Sum(f => s[f, k])));
        // A Hann-windowed sinusoid of amplitude A has peak magnitude ≈ A·n_fft/4 (here 0.5·512 = 256, less scalloping).
        Assert.InRange(s[10, 93], 200, 260);
    }

    [Fact]
    public void ToDecibels_Should_BeRelativeToMaxAndFloored()
    {
        var s = new Spectrogram(1, 4, [10f, 1f, 1e-3f, 0f]).ToDecibels(80);
        Assert.Equal([0f, -20f, -80f, -80f], s.Values);
    }

    [Fact]
    public void Render_Should_PutTheToneBrightestAtItsHeightFromTheBottom()
    {
        using var files = new MediaTestFiles();
        var options = new SpectrogramOptions { Width = 100, Height = 205 };
        var img = AudioDecoder.SpectrogramPicture(files.Tone("tone.wav", 1000, 1.0), options);
        Assert.Equal((100, 205), (img.Width, img.Height));
        // Magma's brightness grows monotonically, so the loudest bin is the brightest row.
        int brightest = Enumerable.Range(0, img.Height).MaxBy(y => Enumerable.Range(0, img.Width).Sum(x => img[x, y, 0] + img[x, y, 1] + img[x, y, 2]));
        // Row y shows bin (H − 1 − y + ½)·1025/H − ½; bin 93 sits at about row 205 − 1 − 18.7 ≈ 185.
        double bin = (img.Height - 1 - brightest + 0.5) * 1025 / img.Height - 0.5;
        Assert.InRange(bin, 91, 95);
        // Low frequencies at the bottom: the top rows (≈ 11 kHz) are the colour map's floor (near black).
        Assert.True(img[50, 0, 0] < 10 && img[50, 0, 1] < 10);
    }

    [Fact]
    public void Magma_Should_FollowThePublishedTable()
    {
        // Entries 0, 64, 128, 200, 255 of matplotlib's 256-entry _magma_data (BIDS colormap, CC0).
        (double T, float R, float G, float B)[] table =
        [
            (0 / 255.0, 0.001462f, 0.000466f, 0.013866f),
            (64 / 255.0, 0.316654f, 0.071690f, 0.485380f),
            (128 / 255.0, 0.716387f, 0.214982f, 0.475290f),
            (200 / 255.0, 0.992785f, 0.594891f, 0.410283f),
            (255 / 255.0, 0.987053f, 0.991438f, 0.749504f),
        ];
        foreach (var (t, r, g, b) in table)
        {
            var c = MagmaColorMap.Map(t);
            Assert.Equal(r, c.R, 0.01f);
            Assert.Equal(g, c.G, 0.01f);
            Assert.Equal(b, c.B, 0.01f);
        }
        Assert.Equal(MagmaColorMap.Map(1), MagmaColorMap.Map(2));
    }
}
