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
    public void HannWindow_Should_BePeriodic()
    {
        var w = Stft.HannWindow(8);
        // scipy.signal.get_window('hann', 8): 0, .1464, .5, .8536, 1, .8536, .5, .1464
        double[] expected = [0, 0.14644661, 0.5, 0.85355339, 1, 0.85355339, 0.5, 0.14644661];
        for (int i = 0; i < 8; i++) Assert.Equal(expected[i], w[i], 7);
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
