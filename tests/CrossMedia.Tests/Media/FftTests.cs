using CrossMedia.Media;

namespace CrossMedia.Tests.Media;

public class FftTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(2048)]
    public void Forward_Should_MatchNaiveDft(int n)
    {
        var rng = new Random(n);
        var re = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var (er, ei) = NaiveDft(re, im);
        var (fr, fi) = ((double[])re.Clone(), (double[])im.Clone());
        Fft.Forward(fr, fi);
        for (int k = 0; k < n; k++)
        {
            Assert.Equal(er[k], fr[k], 1e-9 * Math.Max(1, n));
            Assert.Equal(ei[k], fi[k], 1e-9 * Math.Max(1, n));
        }
    }

    [Fact]
    public void Forward_Should_RejectNonPowerOfTwo()
    {
        Assert.Throws<ArgumentException>(() => Fft.Forward(new double[12], new double[12]));
    }

    /// <summary>X[k] = Σ x[t]·e^(−2πi·kt/n), straight from the definition.</summary>
    private static (double[] Re, double[] Im) NaiveDft(double[] re, double[] im)
    {
        int n = re.Length;
        var or = new double[n];
        var oi = new double[n];
        for (int k = 0; k < n; k++)
            for (int t = 0; t < n; t++)
            {
                double a = -2 * Math.PI * ((long)k * t % n) / n;
                or[k] += re[t] * Math.Cos(a) - im[t] * Math.Sin(a);
                oi[k] += re[t] * Math.Sin(a) + im[t] * Math.Cos(a);
            }
        return (or, oi);
    }
}
