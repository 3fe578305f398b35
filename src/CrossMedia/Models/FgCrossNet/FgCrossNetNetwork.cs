using CrossMedia.Models.Backbones;
using static TorchSharp.torch;

namespace CrossMedia.Models.FgCrossNet;

/// <summary>
/// FGCrossNet (He, Peng, Xie, "A New Benchmark and Approach for Fine-grained Cross-media
/// Retrieval", ACM MM 2019): ONE backbone for every medium. Pictures (images, video frames,
/// spectrogram pictures) go straight through it; texts go through the character CNN
/// (<see cref="TextBranch"/>) into a 3×L×L picture and then through the same backbone. The
/// backbone's logits are the common representation. Also holds the center loss's class centres
/// so they are saved with the network.
/// </summary>
internal sealed class FgCrossNetNetwork : nn.Module
{
    private readonly Backbone backbone;
    private readonly TextBranch text;
    private readonly ClassCenters centers;

    public FgCrossNetNetwork(Backbone backbone, int inputSize) : base(nameof(FgCrossNetNetwork))
    {
        this.backbone = backbone;
        text = new TextBranch(inputSize);
        centers = new ClassCenters(backbone.Classes, backbone.Classes);
        InputSize = inputSize;
        RegisterComponents();
    }

    /// <summary>Builds the backbone from the registry (see <see cref="BackboneRegistry"/>).</summary>
    public static FgCrossNetNetwork Create(string backboneName, int classes, BackboneOptions options) =>
        new(BackboneRegistry.Create(backboneName, classes, options), options.InputSize);

    /// <summary>Picture side and text length L.</summary>
    public int InputSize { get; }

    /// <summary>Number of classes = dimension of the common representation.</summary>
    public int Classes => backbone.Classes;

    public Backbone Backbone => backbone;

    /// <summary>Learned centres [classes, classes] of the center loss.</summary>
    public Tensor Centers => centers.Centers;

    /// <summary>Normalised pictures [N, 3, S, S] → logits [N, classes].</summary>
    public Tensor EncodePictures(Tensor pictures) => backbone.call(pictures);

    /// <summary>Character codes [N, L] → the text branch's pictures [N, 3, L, L] (to batch them with other media).</summary>
    public Tensor TextPictures(Tensor codes) => text.call(codes);

    /// <summary>Character codes [N, L] (see <see cref="CharacterText"/>) → logits [N, classes].</summary>
    public Tensor EncodeText(Tensor codes)
    {
        using var scope = NewDisposeScope();
        return backbone.call(text.call(codes)).MoveToOuterDisposeScope();
    }
}
