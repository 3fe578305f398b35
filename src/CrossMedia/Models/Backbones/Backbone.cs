using CrossMedia.Models.Weights;
using static TorchSharp.torch;

namespace CrossMedia.Models.Backbones;

/// <summary>
/// An image network split, as in timm, into <see cref="ForwardFeatures"/> (pooled embedding, what
/// retrieval and FGCrossNet's shared trunk need) and <see cref="ForwardHead"/> (the classifier).
/// Input: NCHW float pictures; output of <c>forward</c>: logits [N, classes]. Implementations run their
/// layers with <c>call</c> (not <c>forward</c>), so forward hooks see every layer (the backbone tests name
/// the layer a native fault happened in that way).
/// </summary>
public abstract class Backbone : nn.Module<Tensor, Tensor>
{
    /// <remarks>Every convolutional network is a backbone: building one first makes sure convolutions cannot crash this process (<see cref="Torch.ConvolutionProbe"/>).</remarks>
    protected Backbone(string name) : base(name) => Torch.ConvolutionProbe.EnsureSafe();

    /// <summary>Length of the pooled embedding that <see cref="ForwardHead"/> consumes.</summary>
    public abstract int FeatureDimension { get; }

    /// <summary>Number of classifier outputs.</summary>
    public abstract int Classes { get; }

    /// <summary>State-dict prefix of the classifier (its keys are <c>prefix.weight</c>, <c>prefix.bias</c>).</summary>
    public abstract string ClassifierPrefix { get; }

    /// <summary>How RGB pictures in [0, 1] must be normalised before <see cref="ForwardFeatures"/>.</summary>
    public abstract InputNormalization Normalization { get; }

    /// <summary>Pictures [N, 3, H, W] → pooled embedding [N, FeatureDimension].</summary>
    public abstract Tensor ForwardFeatures(Tensor pictures);

    /// <summary>Pooled embedding [N, FeatureDimension] → logits [N, Classes].</summary>
    public abstract Tensor ForwardHead(Tensor features);

    /// <summary>Copies pretrained tensors (named as in the usual checkpoints) in and reports what happened.</summary>
    public abstract WeightLoadReport ImportWeights(IReadOnlyDictionary<string, Tensor> tensors);

    /// <summary>Reads a safetensors file and imports it (see <see cref="ImportWeights"/>).</summary>
    public WeightLoadReport ImportSafeTensors(string path)
    {
        using var content = SafeTensors.Read(path);
        return ImportWeights(content.Tensors);
    }

    public override Tensor forward(Tensor pictures)
    {
        using var scope = NewDisposeScope();
        return ForwardHead(ForwardFeatures(pictures)).MoveToOuterDisposeScope();
    }
}
