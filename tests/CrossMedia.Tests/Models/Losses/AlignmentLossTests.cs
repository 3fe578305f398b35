using CrossMedia.Models.Losses;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.Losses;

/// <summary>CMPM, CMMD, CORAL, cycle and modality losses against plain double-precision loops.</summary>
public class AlignmentLossTests
{
    public AlignmentLossTests() => TorchRuntime.Initialize(1);

    private static double[,] RandomMatrix(Random rng, int n, int d, double scale = 1)
    {
        var m = new double[n, d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) m[i, j] = (rng.NextDouble() * 2 - 1) * scale;
        return m;
    }

    private static Tensor ToTensor(double[,] m)
    {
        int n = m.GetLength(0), d = m.GetLength(1);
        var flat = new double[n * d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) flat[i * d + j] = m[i, j];
        return tensor(flat, [n, d]);
    }

    private static double CmpmDirection(double[,] a, int[] ya, double[,] b, int[] yb)
    {
        int n = a.GetLength(0), m = b.GetLength(0), d = a.GetLength(1);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var logits = new double[m];
            for (int j = 0; j < m; j++)
            {
                double norm = 0, dot = 0;
                for (int k = 0; k < d; k++) { norm += b[j, k] * b[j, k]; dot += a[i, k] * b[j, k]; }
                logits[j] = dot / Math.Sqrt(norm);
            }
            double max = logits.Max(), z = logits.Sum(l => Math.Exp(l - max));
            int matches = yb.Count(y => y == ya[i]);
            for (int j = 0; j < m; j++)
            {
                double p = Math.Exp(logits[j] - max) / z;
                double q = ya[i] == yb[j] ? 1.0 / matches : 0.0;
                total += p * Math.Log(p / (q + 1e-8));
            }
        }
        return total / n;
    }

    [Fact]
    public void Cmpm_Should_MatchLoopComputationInBothDirections()
    {
        var rng = new Random(7);
        var a = RandomMatrix(rng, 6, 4, 2);
        var b = RandomMatrix(rng, 5, 4, 2);
        int[] ya = [0, 1, 2, 1, 0, 3];
        int[] yb = [1, 0, 2, 2, 3];
        double expected = CmpmDirection(a, ya, b, yb) + CmpmDirection(b, yb, a, ya);
        using var scope = NewDisposeScope();
        var loss = CmpmLoss.Compute(ToTensor(a), tensor(ya.Select(x => (long)x).ToArray()), ToTensor(b), tensor(yb.Select(x => (long)x).ToArray()));
        Assert.Equal(expected, loss.item<double>(), 9);
    }

    [Fact]
    public void Cmpm_Should_BeSmallerForMatchedThanForShuffledLabels()
    {
        // Embeddings that point at their class: matching labels must cost less than permuted ones.
        using var scope = NewDisposeScope();
        var e = eye(4, dtype: float64) * 5;
        var y = tensor(new long[] { 0, 1, 2, 3 });
        var good = CmpmLoss.Compute(e, y, e, y).item<double>();
        var bad = CmpmLoss.Compute(e, y, e, tensor(new long[] { 1, 2, 3, 0 })).item<double>();
        Assert.True(good < bad, $"{good} !< {bad}");
    }

    private static double GaussianKernelSum(double[,] x, int i, double[,] y, int j)
    {
        double sq = 0;
        for (int k = 0; k < x.GetLength(1); k++) sq += (x[i, k] - y[j, k]) * (x[i, k] - y[j, k]);
        return CmmdLoss.Bandwidths.Sum(s => Math.Exp(-sq / (2 * s)));
    }

    private static double MeanKernel(double[,] x, double[,] y)
    {
        double total = 0;
        for (int i = 0; i < x.GetLength(0); i++) for (int j = 0; j < y.GetLength(0); j++) total += GaussianKernelSum(x, i, y, j);
        return total / (x.GetLength(0) * y.GetLength(0));
    }

    [Fact]
    public void Cmmd_Should_MatchLoopComputationAndVanishForEqualSets()
    {
        var rng = new Random(3);
        var x = RandomMatrix(rng, 5, 3);
        var y = RandomMatrix(rng, 4, 3, 3);
        double expected = MeanKernel(x, x) + MeanKernel(y, y) - 2 * MeanKernel(x, y);
        Assert.True(expected > 0.01);
        using var scope = NewDisposeScope();
        Assert.Equal(expected, CmmdLoss.Compute(ToTensor(x), ToTensor(y)).item<double>(), 9);
        // Identical sets: 0 (clamped, never negative through rounding).
        var same = CmmdLoss.Compute(ToTensor(x), ToTensor(x)).item<double>();
        Assert.True(same >= 0 && same < 1e-9);
        Assert.Equal(19, CmmdLoss.Bandwidths.Length);
        Assert.Equal(1e-6, CmmdLoss.Bandwidths.Min());
        Assert.Equal(1e6, CmmdLoss.Bandwidths.Max());
    }

    [Fact]
    public void Coral_Should_MatchLoopComputation()
    {
        var rng = new Random(11);
        var x = RandomMatrix(rng, 7, 3);
        var y = RandomMatrix(rng, 5, 3, 2);
        static double[,] Cov(double[,] m)
        {
            int n = m.GetLength(0), d = m.GetLength(1);
            var mean = new double[d];
            for (int i = 0; i < n; i++) for (int k = 0; k < d; k++) mean[k] += m[i, k] / n;
            var c = new double[d, d];
            for (int a = 0; a < d; a++) for (int b = 0; b < d; b++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += (m[i, a] - mean[a]) * (m[i, b] - mean[b]);
                c[a, b] = s / (n - 1);
            }
            return c;
        }
        var cx = Cov(x); var cy = Cov(y);
        double frob = 0;
        for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) frob += (cx[a, b] - cy[a, b]) * (cx[a, b] - cy[a, b]);
        using var scope = NewDisposeScope();
        Assert.Equal(frob / (4 * 3 * 3), CoralLoss.Compute(ToTensor(x), ToTensor(y)).item<double>(), 10);
    }

    [Fact]
    public void ModalityLoss_Should_BeMeanCrossEntropyWithImageZeroTextOne()
    {
        double[,] li = { { 2.0, -1.0 }, { 0.5, 0.5 } };
        double[,] lt = { { 0.1, 0.3 }, { -2.0, 1.0 }, { 1.0, 0.0 } };
        static double Ce(double a, double b, int target)
        {
            double lse = Math.Log(Math.Exp(a) + Math.Exp(b));
            return lse - (target == 0 ? a : b);
        }
        double expected = (Ce(2, -1, 0) + Ce(0.5, 0.5, 0) + Ce(0.1, 0.3, 1) + Ce(-2, 1, 1) + Ce(1, 0, 1)) / 5;
        using var scope = NewDisposeScope();
        Assert.Equal(expected, ModalityLoss.Compute(ToTensor(li), ToTensor(lt)).item<double>(), 10);
    }

    [Fact]
    public void CycleLoss_Should_BeMeanSquaredError()
    {
        using var scope = NewDisposeScope();
        var e = tensor(new double[] { 1, 2, 3, 4 }, [2, 2]);
        var c = tensor(new double[] { 0, 2, 5, 4 }, [2, 2]);
        Assert.Equal((1.0 + 0 + 4 + 0) / 4, CycleLoss.Compute(e, c).item<double>(), 12);
    }

    [Fact]
    public void AlignmentLoss_Should_DispatchAndParseEverySchemeAndRejectUnknown()
    {
        using var scope = NewDisposeScope();
        var rng = new Random(5);
        var x = ToTensor(RandomMatrix(rng, 4, 3));
        var y = ToTensor(RandomMatrix(rng, 4, 3));
        var l = tensor(new long[] { 0, 1, 0, 1 });
        Assert.Equal(CmpmLoss.Compute(x, l, y, l).item<double>(), AlignmentLoss.Compute(AlignmentLoss.Parse("cmpm"), x, l, y, l).item<double>());
        Assert.Equal(CmmdLoss.Compute(x, y).item<double>(), AlignmentLoss.Compute(AlignmentLoss.Parse("CMMD"), x, l, y, l).item<double>());
        Assert.Equal(CoralLoss.Compute(x, y).item<double>(), AlignmentLoss.Compute(AlignmentLoss.Parse("cmca"), x, l, y, l).item<double>());
        Assert.Throws<InputException>(() => AlignmentLoss.Parse("mmd2"));
    }
}
