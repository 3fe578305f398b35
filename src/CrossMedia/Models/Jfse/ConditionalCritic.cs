using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CrossMedia.Models.Jfse;

/// <summary>Conditional WGAN critic D_m: [x ; c] → h, LeakyReLU(0.2) → 1 (an unbounded score, no sigmoid).</summary>
internal sealed class ConditionalCritic : nn.Module<Tensor, Tensor, Tensor>
{
    private static readonly Scalar Slope = 0.2.ToScalar();
    private readonly Linear hidden;
    private readonly Linear output;

    public ConditionalCritic(int featureDimension, int classDimension, int hiddenWidth, string name = "critic") : base(name)
    {
        hidden = nn.Linear(featureDimension + classDimension, hiddenWidth);
        output = nn.Linear(hiddenWidth, 1);
        RegisterComponents();
    }

    /// <summary>Scores (n×1) of features <paramref name="features"/> given class embeddings <paramref name="classEmbedding"/>.</summary>
    public override Tensor forward(Tensor features, Tensor classEmbedding)
    {
        using var scope = NewDisposeScope();
        var h = hidden.call(cat([features, classEmbedding], 1)).leaky_relu(Slope);
        return output.call(h).MoveToOuterDisposeScope();
    }
}
