using CrossMedia.Torch;
using static TorchSharp.torch;

namespace CrossMedia.Models.Losses;

/// <summary>
/// Cross-modal maximum mean discrepancy: multi-kernel Gaussian MMD² between two sets of embeddings,
/// k(x, y) = Σ_σ exp(−‖x − y‖² / (2σ)) over the bandwidths of the domain-adaptation literature
/// (Bousmalis et al.'s domain separation networks), MMD² = mean K(X,X) + mean K(Y,Y) − 2 mean K(X,Y),
/// clamped at 0 (the biased estimate can go slightly negative through rounding).
/// </summary>
internal static class CmmdLoss
{
    /// <summary>Kernel bandwidths σ, 1e-6 … 1e6.</summary>
    public static readonly double[] Bandwidths =
        [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 5, 10, 15, 20, 25, 30, 35, 100, 1e3, 1e4, 1e5, 1e6];

    /// <summary>Σ_σ exp(−‖x_i − y_j‖² / (2σ)) for every pair (n×m).</summary>
    public static Tensor Kernel(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var sq = x.pow(TorchScalars.Two).sum(1, true).add(y.pow(TorchScalars.Two).sum(1).unsqueeze(0), TorchScalars.One)
            .sub(x.matmul(y.t()).mul(TorchScalars.Two)).clamp_min(TorchScalars.Zero);
        var betas = tensor(Bandwidths.Select(s => 1.0 / (2 * s)).ToArray()).to(x.dtype, x.device);
        var k = (-betas.view(-1, 1, 1) * sq.unsqueeze(0)).exp().sum(0, false);
        return k.MoveToOuterDisposeScope();
    }

    public static Tensor Compute(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var mmd = Kernel(x, x).mean().add(Kernel(y, y).mean(), TorchScalars.One).sub(Kernel(x, y).mean().mul(TorchScalars.Two));
        return mmd.clamp_min(TorchScalars.Zero).MoveToOuterDisposeScope();
    }
}
