using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Losses;

/// <summary>
/// Conditional Wasserstein GAN losses with gradient penalty (Gulrajani et al., 2017), as JFSE uses
/// them per modality: the critic sees a feature row concatenated with its class embedding.
/// </summary>
internal static class WassersteinLoss
{
    /// <summary>Critic loss without penalty: E[D(syn)] − E[D(real)].</summary>
    public static Tensor Critic(Tensor criticOnSynthetic, Tensor criticOnReal) =>
        criticOnSynthetic.mean() - criticOnReal.mean();

    /// <summary>Generator adversarial term: −E[D(syn)].</summary>
    public static Tensor Generator(Tensor criticOnSynthetic) => -criticOnSynthetic.mean();

    /// <summary>
    /// Gradient penalty E[(‖∇_x̂ D(x̂, c)‖₂ − 1)²] (unweighted; multiply by λ_gp), with
    /// x̂ = α·real + (1−α)·syn and one α ~ U(0,1) per row given in <paramref name="alpha"/> (n×1).
    /// The gradient is taken with <c>create_graph</c>, so the result can be back-propagated into the
    /// critic's parameters (a gradient of a gradient). <paramref name="synthetic"/> is detached here.
    /// </summary>
    public static Tensor GradientPenalty(Func<Tensor, Tensor, Tensor> critic, Tensor real, Tensor synthetic, Tensor condition, Tensor alpha)
    {
        using var scope = NewDisposeScope();
        var mixed = alpha.mul(real).add(alpha.neg().add(TorchScalars.One, TorchScalars.One).mul(synthetic.detach()), TorchScalars.One).detach().requires_grad_(true);
        var scores = critic(mixed, condition);
        // retain_graph must accompany create_graph in TorchSharp, or the graph is freed before backward.
        var gradient = torch.autograd.grad([scores.sum()], [mixed], retain_graph: true, create_graph: true)[0];
        var norm = gradient.pow(TorchScalars.Two).sum(1).add(TorchScalars.Tiny, TorchScalars.One).sqrt();
        return norm.sub(TorchScalars.One).pow(TorchScalars.Two).mean().MoveToOuterDisposeScope();
    }

    /// <summary>Full critic loss: <see cref="Critic"/> + λ_gp · <see cref="GradientPenalty"/>.</summary>
    public static Tensor CriticWithPenalty(Func<Tensor, Tensor, Tensor> critic, Tensor real, Tensor synthetic, Tensor condition, Tensor alpha, double lambdaGp)
    {
        using var scope = NewDisposeScope();
        using var weight = lambdaGp.ToScalar();
        var loss = Critic(critic(synthetic.detach(), condition), critic(real, condition))
            .add(GradientPenalty(critic, real, synthetic, condition, alpha).mul(weight), TorchScalars.One);
        return loss.MoveToOuterDisposeScope();
    }
}
