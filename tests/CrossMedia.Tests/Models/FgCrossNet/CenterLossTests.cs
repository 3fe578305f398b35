using CrossMedia.Models.FgCrossNet;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.FgCrossNet;

public class CenterLossTests
{
    public CenterLossTests() => TorchRuntime.Initialize(2);

    private static (float[] X, long[] Y, float[] C) Data()
    {
        var rng = new Random(7);
        var x = Enumerable.Range(0, 6 * 3).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var c = Enumerable.Range(0, 4 * 3).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        return (x, [0, 2, 2, 3, 0, 2], c);
    }

    [Fact]
    public void Compute_Should_MatchHandComputedValueAndGradients()
    {
        var (xs, ys, cs) = Data();
        using var scope = NewDisposeScope();
        var x = torch.tensor(xs, [6, 3]).requires_grad_();
        var c = torch.tensor(cs, [4, 3]).requires_grad_();
        var loss = CenterLoss.Compute(x, torch.tensor(ys), c, 0.001);
        loss.backward();

        // Brute force: L = w/N Σ_i ‖x_i − c_{y_i}‖²; ∂L/∂x_i = 2w/N (x_i − c_{y_i}); the centres'
        // gradient is rescaled by 1/w: −2/N Σ_{i: y_i = k} (x_i − c_k).
        const double w = 0.001;
        double expected = 0;
        var gx = new double[18];
        var gc = new double[12];
        for (var i = 0; i < 6; i++)
            for (var d = 0; d < 3; d++)
            {
                var diff = xs[i * 3 + d] - cs[ys[i] * 3 + d];
                expected += w / 6 * diff * diff;
                gx[i * 3 + d] = 2 * w / 6 * diff;
                gc[ys[i] * 3 + d] += -2.0 / 6 * diff;
            }
        Assert.Equal(expected, loss.item<float>(), 6);
        var gotX = x.grad!.data<float>().ToArray();
        var gotC = c.grad!.data<float>().ToArray();
        for (var k = 0; k < 18; k++) Assert.Equal(gx[k], gotX[k], 6);
        for (var k = 0; k < 12; k++) Assert.Equal(gc[k], gotC[k], 5);
        Assert.Equal(0f, gotC[1 * 3]); // class 1 has no sample: its centre does not move
    }

    [Fact]
    public void CentresUpdate_Should_EqualTheFullLearningRateUpdateOfTheUnweightedLoss()
    {
        var (xs, ys, cs) = Data();
        const double lr = 0.1;
        using var scope = NewDisposeScope();
        var x = torch.tensor(xs, [6, 3]);
        var labels = torch.tensor(ys);

        // Weighted loss through CenterLoss (weight 0.001) with one SGD step...
        var c1 = new TorchSharp.Modules.Parameter(torch.tensor(cs, [4, 3]));
        var sgd1 = torch.optim.SGD([c1], lr);
        CenterLoss.Compute(x, labels, c1, 0.001).backward();
        sgd1.step();

        // ...moves the centres exactly like the unweighted loss at the same learning rate.
        var c2 = new TorchSharp.Modules.Parameter(torch.tensor(cs, [4, 3]));
        var sgd2 = torch.optim.SGD([c2], lr);
        x.sub(c2.index_select(0, labels)).pow(2).sum(1).mean().backward();
        sgd2.step();

        Assert.True(torch.allclose(c1, c2, 1e-5, 1e-6));
        Assert.False(torch.allclose(c1, torch.tensor(cs, [4, 3]), 1e-4, 1e-4)); // they did move
    }

    [Fact]
    public void ScaleGradient_Should_KeepValueAndScaleGradient()
    {
        using var scope = NewDisposeScope();
        var t = torch.tensor(new[] { 1.5f, -2f }).requires_grad_();
        var s = CenterLoss.ScaleGradient(t, 1000);
        Assert.Equal(new[] { 1.5f, -2f }, s.data<float>().ToArray());
        s.sum().backward();
        Assert.Equal(new[] { 1000f, 1000f }, t.grad!.data<float>().ToArray());
    }
}
