using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Losses;

/// <summary>
/// Cross-modal correlation alignment (CMCA; Deep CORAL, Sun &amp; Saenko 2016):
/// ‖Cov(X) − Cov(Y)‖²_F / (4 d²), with the unbiased (n − 1) covariance of each set.
/// </summary>
internal static class CoralLoss
{
    public static Tensor Covariance(Tensor x)
    {
        using var scope = NewDisposeScope();
        var centred = x - x.mean([0], true);
        using var n = Math.Max(1, x.shape[0] - 1).ToScalar();
        var cov = centred.t().matmul(centred).div(n);
        return cov.MoveToOuterDisposeScope();
    }

    public static Tensor Compute(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        long d = x.shape[1];
        using var scale = (4.0 * d * d).ToScalar();
        var loss = (Covariance(x) - Covariance(y)).pow(TorchScalars.Two).sum().div(scale);
        return loss.MoveToOuterDisposeScope();
    }
}
