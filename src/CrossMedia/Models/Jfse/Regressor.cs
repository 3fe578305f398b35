using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CrossMedia.Models.Jfse;

/// <summary>Regressor R_m, the embedding network of one medium: x → h, ReLU → d_c, ReLU (the class-embedding space).</summary>
internal sealed class Regressor : nn.Module<Tensor, Tensor>
{
    private readonly Linear hidden;
    private readonly Linear output;

    public Regressor(int featureDimension, int hiddenWidth, int classDimension, string name = "regressor") : base(name)
    {
        hidden = nn.Linear(featureDimension, hiddenWidth);
        output = nn.Linear(hiddenWidth, classDimension);
        RegisterComponents();
    }

    public override Tensor forward(Tensor features)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(hidden.call(features));
        return nn.functional.relu(output.call(h)).MoveToOuterDisposeScope();
    }
}
