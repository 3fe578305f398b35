using CrossMedia.Models.Jfse;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.Jfse;

public class GradientReversalTests
{
    public GradientReversalTests() => TorchRuntime.Initialize(1);

    [Fact]
    public void Apply_Should_BeIdentityForwardAndNegativeLambdaTimesGradientBackward()
    {
        using var scope = NewDisposeScope();
        var values = new float[] { 0.1f, -3.7f, 1e-7f, 123.456f, -0.0f, 7.3e5f };
        var x = tensor(values).requires_grad_(true);
        var y = GradientReversal.Apply(x, 0.37);
        // Forward: bit-identical to the input.
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), y.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits));
        // Backward of Σ w_i y_i: the upstream gradient w, scaled by −λ.
        var w = tensor(new float[] { 1, 2, -3, 0.5f, 4, -1 });
        (y * w).sum().backward();
        var g = x.grad!.data<float>().ToArray();
        var wv = w.data<float>().ToArray();
        for (int i = 0; i < g.Length; i++) Assert.Equal(-0.37f * wv[i], g[i], 6);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.98661429815143)]   // 2/(1+e^-5) − 1
    [InlineData(1.0, 0.99990920426259)]   // 2/(1+e^-10) − 1
    public void Schedule_Should_FollowDann(double p, double expected) =>
        Assert.Equal(expected, GradientReversal.Schedule(p), 10);
}
