using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CrossMedia.Models.Jfse;

/// <summary>
/// Modality classifier M: embedding → d_c/2, ReLU → d_c/4, ReLU → one logit per medium (image vs text for the spec's two).
/// The trainer puts a <see cref="GradientReversal"/> in front of it.
/// </summary>
internal sealed class ModalityClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Linear first;
    private readonly Linear second;
    private readonly Linear output;

    public ModalityClassifier(JfseArchitecture architecture, string name = "modality_classifier") : base(name)
    {
        first = nn.Linear(architecture.ClassDimension, architecture.ClassifierHidden1);
        second = nn.Linear(architecture.ClassifierHidden1, architecture.ClassifierHidden2);
        output = nn.Linear(architecture.ClassifierHidden2, architecture.MediaCount);
        RegisterComponents();
    }

    public override Tensor forward(Tensor embeddings)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(first.call(embeddings));
        h = nn.functional.relu(second.call(h));
        return output.call(h).MoveToOuterDisposeScope();
    }
}
