using System.CommandLine;
using System.Globalization;
using CrossMedia.Models.Backbones;
using CrossMedia.Models.FgCrossNet;
using CrossMedia.Training;

namespace CrossMedia.Cli.Training;

/// <summary>`--method fgcrossnet`: one network for raw image/text/audio/video files (<see cref="FgCrossNetTrainer"/>).</summary>
internal sealed class FgCrossNetOptions : IMethodOptions
{
    private const string DarknetFolder = "../shared/models/darknet-tiny-imagenet";

    private readonly Option<string> _backbone = new("--backbone") { Description = $"Backbone, one of {string.Join(", ", BackboneRegistry.Names)} (paper: resnet50).", DefaultValueFactory = _ => "resnet50" };
    private readonly Option<int> _inputSize = new("--input-size") { Description = "Picture side and text length (even; paper: 448). Pictures are resized to 8/7 of it, then centre-cropped.", DefaultValueFactory = _ => 448 };
    private readonly Option<string?> _pretrained = new("--pretrained") { Description = $"Pretrained weights: '{BackboneOptions.ImageNet}' (resnet18: the ONNX ResNet-18 shipped with the build; darknet-tiny: {DarknetFolder}), an ImageNet safetensors or ONNX file for ResNets, or for darknet-tiny its TF.js folder (default {DarknetFolder}). 'none' trains darknet-tiny from scratch (topology from the default folder)." };
    private readonly Option<int> _frames = new("--frames") { Description = "Frames sampled per video (paper: 25).", DefaultValueFactory = _ => 25 };
    private readonly Option<int> _stage1 = new("--stage1-epochs") { Description = "Epochs of stage 1 (cross-entropy + center loss).", DefaultValueFactory = _ => 25 };
    private readonly Option<int> _stage2 = new("--stage2-epochs") { Description = "Epochs of stage 2 (adds the quadruplet ranking loss).", DefaultValueFactory = _ => 25 };
    private readonly Option<int> _workers = new("--workers") { Description = "Files decoded at the same time.", DefaultValueFactory = _ => Math.Max(1, Math.Min(4, Environment.ProcessorCount)) };
    private readonly Option<string?> _decodeCache = new("--decode-cache") { Description = "Folder caching decoded tensors between runs (default: none)." };

    public string Name => FgCrossNetModel.MethodName;
    public IReadOnlyList<Option> Options => [_backbone, _inputSize, _pretrained, _frames, _stage1, _stage2, SharedTrainOptions.LearningRate,
        SharedTrainOptions.BatchSize, SharedTrainOptions.Patience, _workers, _decodeCache, SharedTrainOptions.CheckpointEvery, SharedTrainOptions.Resume];

    public TrainingMethod Read(ParseResult p)
    {
        var backbone = p.GetValue(_backbone)!;
        int input = p.GetValue(_inputSize);
        if (input < 8 || input % 2 != 0) throw new InputException("--input-size", "", "an even size of at least 8", input.ToString(CultureInfo.InvariantCulture));
        bool darknet = string.Equals(backbone, FgCrossNetConfig.DarknetTiny, StringComparison.OrdinalIgnoreCase);
        var pretrained = p.GetValue(_pretrained);
        bool fromScratch = pretrained is null ? !darknet : string.Equals(pretrained, "none", StringComparison.OrdinalIgnoreCase);
        bool imageNet = string.Equals(pretrained, BackboneOptions.ImageNet, StringComparison.OrdinalIgnoreCase);
        if (imageNet && darknet) pretrained = DarknetFolder;
        if (imageNet && !darknet && !string.Equals(backbone, "resnet18", StringComparison.OrdinalIgnoreCase))
            throw new InputException("--pretrained", "", $"'{BackboneOptions.ImageNet}' with resnet18 or darknet-tiny, or an ImageNet safetensors file for {backbone}", pretrained!);
        string? weights = darknet ? (fromScratch || pretrained is null ? DarknetFolder : pretrained)
            : fromScratch ? null : imageNet ? BackboneOptions.ImageNet : Path.GetFullPath(pretrained!);
        if (darknet) weights = Path.GetFullPath(weights!);
        // Classes and media come from the data (every file medium).
        var config = new FgCrossNetConfig(backbone, 0, input, (input * 8 / 7 + 1) / 2 * 2, p.GetValue(_frames), weights, !fromScratch, []);
        return new FgCrossNetMethod(config, new FgCrossNetTrainingOptions
        {
            Stage1Epochs = p.GetValue(_stage1),
            Stage2Epochs = p.GetValue(_stage2),
            LearningRate = p.GetValue(SharedTrainOptions.LearningRate) ?? 0.001,
            BatchSize = p.GetValue(SharedTrainOptions.BatchSize) ?? 16,
            Patience = p.GetValue(SharedTrainOptions.Patience),
            Workers = p.GetValue(_workers),
            CheckpointEvery = p.GetValue(SharedTrainOptions.CheckpointEvery) ?? 1,
            DecodeCache = p.GetValue(_decodeCache),
        });
    }
}
