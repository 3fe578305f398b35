using CrossMedia.Models.FgCrossNet;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.FgCrossNet;

public class QuadrupletLossTests
{
    public QuadrupletLossTests() => TorchRuntime.Initialize(2);

    private static (float[] X, long[] Y) Batch(int n, int dim, int classes, int seed)
    {
        var rng = new Random(seed);
        var x = Enumerable.Range(0, n * dim).Select(_ => (float)(rng.NextDouble() * 1.2 - 0.6)).ToArray();
        var y = Enumerable.Range(0, n).Select(i => (long)(i < classes ? i : rng.Next(classes))).ToArray();
        return (x, y);
    }

    /// <summary>Plain loops over all quadruplets, in double precision, straight from the definition.</summary>
    private static double BruteForce(float[] x, long[] y, int dim, double m1 = 1.0, double m2 = 0.5)
    {
        var n = y.Length;
        double Dist(int i, int j)
        {
            double s = 0;
            for (var d = 0; d < dim; d++) { var v = (double)x[i * dim + d] - x[j * dim + d]; s += v * v; }
            return Math.Sqrt(s);
        }
        double total = 0;
        long count = 0;
        for (var a = 0; a < n; a++)
        for (var p = 0; p < n; p++)
        {
            if (p == a || y[p] != y[a]) continue;
            for (var n1 = 0; n1 < n; n1++)
            {
                if (y[n1] == y[a]) continue;
                for (var n2 = 0; n2 < n; n2++)
                {
                    if (y[n2] == y[a] || y[n2] == y[n1]) continue;
                    var l = Math.Max(0, Dist(a, p) - Dist(a, n1) + m1) + Math.Max(0, Dist(a, p) - Dist(n1, n2) + m2);
                    if (l > 0) { total += l; count++; }
                }
            }
        }
        return count == 0 ? 0 : total / count;
    }

    /// <summary>The whole B⁴ tensor under autograd (tiny B only): the gradient reference.</summary>
    private static Tensor DenseReference(Tensor x, Tensor y, double m1 = 1.0, double m2 = 0.5)
    {
        var diff = x.unsqueeze(1).sub(x.unsqueeze(0));
        var d = diff.pow(2).sum(2).add(1e-12).sqrt();                          // [B, B]
        var b = x.shape[0];
        var same = y.unsqueeze(1).eq(y.unsqueeze(0));
        var notSelf = torch.eye(b, dtype: ScalarType.Bool).logical_not();
        var pos = same.logical_and(notSelf);                                    // [a, p]
        var neg = same.logical_not();                                           // [a, n]
        // Index order [a, p, n1, n2].
        var valid = pos.view(b, b, 1, 1)
            .logical_and(neg.view(b, 1, b, 1))
            .logical_and(neg.view(b, 1, 1, b))
            .logical_and(neg.view(1, 1, b, b));
        var dap = d.view(b, b, 1, 1);
        var l = nn.functional.relu(dap.sub(d.view(b, 1, b, 1)).add(m1)).add(nn.functional.relu(dap.sub(d.view(1, 1, b, b)).add(m2)));
        var active = valid.logical_and(l.gt(0));
        var count = active.sum();
        return l.mul(active.to(l.dtype)).sum().div(count.clamp_min(1));
    }

    [Theory]
    [InlineData(8, 3, 1)]
    [InlineData(10, 4, 2)]
    [InlineData(9, 3, 3)]
    public void Compute_Should_MatchBruteForceValueAndGradient(int n, int classes, int seed)
    {
        const int dim = 5;
        var (xs, ys) = Batch(n, dim, classes, seed);
        using var scope = NewDisposeScope();
        var labels = torch.tensor(ys);

        var x = torch.tensor(xs, [n, dim]).requires_grad_();
        var loss = QuadrupletLoss.Compute(x, labels, maxChunkElements: 1); // one (a, p) pair per chunk
        loss.backward();

        var xRef = torch.tensor(xs, [n, dim]).requires_grad_();
        var reference = DenseReference(xRef, labels);
        reference.backward();

        var expected = BruteForce(xs, ys, dim);
        Assert.True(expected > 0);
        Assert.Equal(expected, loss.item<float>(), 4);
        Assert.Equal(expected, reference.item<float>(), 4);
        Assert.True(torch.allclose(x.grad!, xRef.grad!, 1e-4, 1e-5),
            $"max |Δgrad| = {x.grad!.sub(xRef.grad!).abs().max().item<float>()}");
    }

    [Fact]
    public void Compute_Should_BeZeroWithZeroGradient_WhenNoQuadrupletViolatesTheMargins()
    {
        // Three classes far apart, each a tight pair: every hinge is inactive.
        float[] xs = [0, 0, 0.01f, 0, 100, 0, 100.01f, 0, 0, 100, 0, 100.01f];
        using var scope = NewDisposeScope();
        var x = torch.tensor(xs, [6, 2]).requires_grad_();
        var loss = QuadrupletLoss.Compute(x, torch.tensor(new long[] { 0, 0, 1, 1, 2, 2 }));
        loss.backward();
        Assert.Equal(0f, loss.item<float>());
        Assert.Equal(0f, x.grad!.abs().sum().item<float>());
        Assert.Equal(0.0, BruteForce(xs, [0, 0, 1, 1, 2, 2], 2));
    }

    [Fact]
    public void Compute_Should_HandleABatchOf256_WithoutDependingOnChunkSize()
    {
        // The spec's batch: 4 media × 64. Chunks are bounded, so memory stays O(B² + chunk).
        var (xs, ys) = Batch(256, 16, 64, 4);
        using var scope = NewDisposeScope();
        var labels = torch.tensor(ys);
        var x1 = torch.tensor(xs, [256, 16]).requires_grad_();
        var small = QuadrupletLoss.Compute(x1, labels, maxChunkElements: 1 << 18);
        small.backward();
        var x2 = torch.tensor(xs, [256, 16]).requires_grad_();
        var large = QuadrupletLoss.Compute(x2, labels, maxChunkElements: 1 << 24);
        large.backward();
        Assert.True(small.item<float>() > 0);
        Assert.Equal(large.item<float>(), small.item<float>(), 4);
        Assert.True(torch.allclose(x1.grad!, x2.grad!, 1e-5, 1e-7));
        Assert.True(torch.isfinite(x1.grad!).all().item<bool>());
    }
}
