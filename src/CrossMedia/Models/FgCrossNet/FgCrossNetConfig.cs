using CrossMedia.Media;
using CrossMedia.Models.Backbones;
using CrossMedia.Models.Weights;

namespace CrossMedia.Models.FgCrossNet;

/// <summary>Everything needed to rebuild an FGCrossNet network and its input pipeline (stored in model.json).</summary>
/// <param name="Backbone">Backbone name from <see cref="BackboneRegistry"/> (resnet18/34/50/101, darknet-tiny).</param>
/// <param name="Classes">Number of classes = dimension of the common representation.</param>
/// <param name="InputSize">Picture side and text length L (even).</param>
/// <param name="ResizeSize">Pictures are resized to this before the centre crop (≥ InputSize).</param>
/// <param name="FramesPerVideo">Frames sampled uniformly per video.</param>
/// <param name="Weights">Pretrained weights for ResNets: a safetensors or ONNX file, or "imagenet" (resnet18: the ONNX model shipped with the build) (null = from scratch); for darknet-tiny the TF.js model folder (it also holds the topology).</param>
/// <param name="Pretrained">Whether <paramref name="Weights"/> initialise the network (false: darknet-tiny takes only its topology from the folder).</param>
/// <param name="MediumNames">The media the model was trained on.</param>
public sealed record FgCrossNetConfig(
    string Backbone,
    int Classes,
    int InputSize,
    int ResizeSize,
    int FramesPerVideo,
    string? Weights,
    bool Pretrained,
    string[] MediumNames)
{
    public const string DarknetTiny = "darknet-tiny";

    /// <summary>
    /// Builds the network. With <paramref name="initialise"/> the pretrained weights are loaded
    /// (when configured); without, the weights are random (the caller loads saved ones).
    /// </summary>
    internal FgCrossNetNetwork CreateNetwork(bool initialise, out WeightLoadReport? report)
    {
        report = null;
        Backbone net;
        if (string.Equals(Backbone, DarknetTiny, StringComparison.OrdinalIgnoreCase))
        {
            var folder = Weights ?? throw new InputException("pretrained", "", "the darknet-tiny TF.js model folder", "none");
            net = initialise && Pretrained
                ? BackboneRegistry.Create(DarknetTiny, Classes, new BackboneOptions(InputSize, folder), out report)
                : new KerasLayersBackbone(TfjsLayersModel.Read(folder), Classes, DarknetTiny);
        }
        else
        {
            // The weights' kind fixes the architecture (an ONNX ResNet carries its mean image), loaded or not.
            net = BackboneRegistry.Create(Backbone, Classes, new BackboneOptions(InputSize, Pretrained ? Weights : null, LoadWeights: initialise), out report);
        }
        return new FgCrossNetNetwork(net, InputSize);
    }

    /// <summary>The decoder settings matching this network (its input size and normalisation).</summary>
    public MediaDecoderOptions DecoderOptions(InputNormalization normalization, int workers, string? cacheDirectory = null) => new()
    {
        Preprocessing = new MediaPreprocessing { InputSize = InputSize, ResizeSize = ResizeSize, Mean = normalization.Mean, Std = normalization.Std },
        FramesPerVideo = FramesPerVideo,
        Workers = workers,
        Prefetch = Math.Max(16, 4 * workers),
        CacheDirectory = cacheDirectory,
    };
}
