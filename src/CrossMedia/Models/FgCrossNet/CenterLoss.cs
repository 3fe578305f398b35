using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.FgCrossNet;

/// <summary>
/// Center loss (Wen et al., ECCV 2016) as FGCrossNet uses it: weight · mean_i ‖x_i − c_{y_i}‖²
/// over the concatenated outputs of all media (the reference's implementation sums squared
/// distances and divides by the batch size, without the paper's ½).
/// </summary>
/// <remarks>
/// The reference multiplies the centres' gradient by 1/weight after <c>backward()</c>, so the centres
/// move at the full learning rate while the features only feel the weighted loss. We do the same
/// inside the graph: the centres enter through <see cref="ScaleGradient"/>, whose value is the
/// centres themselves and whose backward multiplies by 1/weight. Equivalent to the hook, needs no
/// per-step bookkeeping in the trainer, and works with any optimiser.
/// </remarks>
internal static class CenterLoss
{
    /// <summary>The spec's weight.</summary>
    public const double DefaultWeight = 0.001;

    /// <param name="features">Outputs [N, D].</param>
    /// <param name="labels">Class indices [N] (int64).</param>
    /// <param name="centers">Centres [classes, D] (the learned parameter).</param>
    /// <param name="weight">Loss weight; the centres' gradient is scaled by 1/weight.</param>
    public static Tensor Compute(Tensor features, Tensor labels, Tensor centers, double weight = DefaultWeight)
    {
        if (weight <= 0) throw new ArgumentOutOfRangeException(nameof(weight), weight, "must be positive");
        using var scope = NewDisposeScope();
        var c = ScaleGradient(centers, 1.0 / weight).index_select(0, labels);
        using var w = weight.ToScalar();
        var loss = (features - c).pow(TorchScalars.Two).sum(1).mean().mul(w);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Identity in the forward pass; multiplies the gradient by <paramref name="factor"/> in the backward pass.</summary>
    public static Tensor ScaleGradient(Tensor t, double factor)
    {
        using var scope = NewDisposeScope();
        using var f = factor.ToScalar();
        var frozen = t.detach();
        // t − frozen is exactly 0 in value but carries d/dt = 1; scaling it scales only the gradient.
        return frozen.add(t.sub(frozen).mul(f), TorchScalars.One).MoveToOuterDisposeScope();
    }
}
