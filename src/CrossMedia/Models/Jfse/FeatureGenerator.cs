using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CrossMedia.Models.Jfse;

/// <summary>Generator G_m: [c ; z] → h, ReLU → d_m, ReLU (features are min-max scaled to [0,1], hence the final ReLU).</summary>
internal sealed class FeatureGenerator : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear hidden;
    private readonly Linear output;

    public FeatureGenerator(int classDimension, int noiseDimension, int hiddenWidth, int featureDimension, string name = "generator") : base(name)
    {
        hidden = nn.Linear(classDimension + noiseDimension, hiddenWidth);
        output = nn.Linear(hiddenWidth, featureDimension);
        RegisterComponents();
    }

    /// <summary>Synthesises features for class embeddings <paramref name="classEmbedding"/> (n×d_c) and noise (n×d_z).</summary>
    public override Tensor forward(Tensor classEmbedding, Tensor noise)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(hidden.call(cat([classEmbedding, noise], 1)));
        return nn.functional.relu(output.call(h)).MoveToOuterDisposeScope();
    }
}
