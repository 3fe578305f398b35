using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Jfse;

/// <summary>
/// Gradient-reversal layer (Ganin &amp; Lempitsky, 2015): identity forward, −λ·grad backward.
/// Written as y = x̄ + (−λ)·(x − x̄) with x̄ = x.detach() rather than a custom autograd function:
/// x − x̄ is exactly 0, so the forward value is bit-identical to x, and the only path the gradient
/// takes is through (−λ)·x, which scales it by −λ. No native callback, works on every device.
/// </summary>
internal static class GradientReversal
{
    public static Tensor Apply(Tensor x, double lambda)
    {
        using var scope = NewDisposeScope();
        using var factor = (-lambda).ToScalar();
        var frozen = x.detach();
        return frozen.add((x - frozen).mul(factor), TorchScalars.One).MoveToOuterDisposeScope();
    }

    /// <summary>The DANN schedule λ(p) = 2/(1 + exp(−10p)) − 1 for training progress p ∈ [0, 1].</summary>
    public static double Schedule(double progress) => 2.0 / (1.0 + Math.Exp(-10.0 * progress)) - 1.0;
}
