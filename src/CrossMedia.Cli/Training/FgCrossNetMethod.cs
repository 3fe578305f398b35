using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CrossMedia.Core;
using CrossMedia.Models;
using CrossMedia.Models.Backbones;
using CrossMedia.Models.FgCrossNet;
using CrossMedia.Torch;
using CrossMedia.Training;
using Spectre.Console;

namespace CrossMedia.Cli.Training;

/// <summary>
/// `--method fgcrossnet`: one network for raw image/text/audio/video files (shared/spec/FGCrossNet.md).
/// Decodes the media, trains stage 1 (CE + center) then stage 2 (+ quadruplet ranking), selects the
/// epoch on validation, writes history.json, training.png and checkpoints (`--resume`).
/// </summary>
internal sealed class FgCrossNetMethod : ITrainMethod
{
    private const string DarknetFolder = "../shared/models/darknet-tiny-imagenet";

    private readonly Option<string> _backbone = new("--backbone") { Description = $"fgcrossnet: backbone, one of {string.Join(", ", BackboneRegistry.Names)} (paper: resnet50).", DefaultValueFactory = _ => "resnet50" };
    private readonly Option<int> _inputSize = new("--input-size") { Description = "fgcrossnet: picture side and text length (even; paper: 448). Pictures are resized to 8/7 of it, then centre-cropped.", DefaultValueFactory = _ => 448 };
    private readonly Option<string?> _pretrained = new("--pretrained") { Description = $"fgcrossnet: pretrained weights: '{BackboneOptions.ImageNet}' (resnet18: the ONNX ResNet-18 shipped with the build; darknet-tiny: {DarknetFolder}), an ImageNet safetensors or ONNX file for ResNets, or for darknet-tiny its TF.js folder (default {DarknetFolder}). 'none' trains darknet-tiny from scratch (topology from the default folder)." };
    private readonly Option<int> _frames = new("--frames") { Description = "fgcrossnet: frames sampled per video (paper: 25).", DefaultValueFactory = _ => 25 };
    private readonly Option<int> _stage1 = new("--stage1-epochs") { Description = "fgcrossnet: epochs of stage 1 (cross-entropy + center loss).", DefaultValueFactory = _ => 25 };
    private readonly Option<int> _stage2 = new("--stage2-epochs") { Description = "fgcrossnet: epochs of stage 2 (adds the quadruplet ranking loss).", DefaultValueFactory = _ => 25 };
    private readonly Option<int> _workers = new("--workers") { Description = "fgcrossnet: files decoded at the same time.", DefaultValueFactory = _ => Math.Max(1, Math.Min(4, Environment.ProcessorCount)) };
    private readonly Option<string?> _decodeCache = new("--decode-cache") { Description = "fgcrossnet: folder caching decoded tensors between runs (default: none)." };

    public string Name => FgCrossNetModel.MethodName;
    public IReadOnlyList<Option> Options => [_backbone, _inputSize, _pretrained, _frames, _stage1, _stage2, SharedTrainOptions.LearningRate,
        SharedTrainOptions.BatchSize, _workers, _decodeCache, SharedTrainOptions.CheckpointEvery, SharedTrainOptions.Resume];

    public IEmbeddingModel Train(TrainContext context)
    {
        var p = context.Parse;
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
        var config = new FgCrossNetConfig(backbone, context.TrainingSet.ClassCount, input, (input * 8 / 7 + 1) / 2 * 2, p.GetValue(_frames), weights, !fromScratch,
            context.TrainingSet.Media.Where(m => m.Files is not null).Select(m => m.Name).ToArray());
        var options = new FgCrossNetTrainingOptions
        {
            Stage1Epochs = p.GetValue(_stage1),
            Stage2Epochs = p.GetValue(_stage2),
            LearningRate = p.GetValue(SharedTrainOptions.LearningRate) ?? 0.001,
            BatchSize = p.GetValue(SharedTrainOptions.BatchSize) ?? 16,
            Workers = p.GetValue(_workers),
            CheckpointEvery = p.GetValue(SharedTrainOptions.CheckpointEvery) ?? 1,
            DecodeCache = p.GetValue(_decodeCache),
            Seed = context.Seed,
        };
        string checkpoints = Path.Combine(context.OutputDirectory, "checkpoints");
        bool resume = SharedTrainOptions.PrepareResume(p, checkpoints);
        context.Config["fgcrossnet"] = JsonSerializer.SerializeToNode(new { config, training = options }, FgCrossNetModelJson);

        var progress = new SpectreTrainingProgress(context.Console);
        var result = progress.Run(() => new FgCrossNetTrainer(options, TorchRuntime.ParseDevice(context.Device), progress)
            .Train(context.TrainingSet, config, checkpoints, resume));

        AtomicFile.WriteAllText(Path.Combine(context.OutputDirectory, "history.json"), JsonSerializer.Serialize(result.History, FgCrossNetModelJson));
        TrainingPlot.Write(Path.Combine(context.OutputDirectory, "training.png"), result.History, new TrainingPlotOptions($"FGCrossNet ({backbone}) on {context.Data.Name}")
        {
            Media = config.MediumNames,
            SecondStageFrom = options.Stage1Epochs > 0 && options.Stage2Epochs > 0 ? options.Stage1Epochs + 1 : null,
        });
        context.Notes["selected_epoch"] = result.SelectedEpoch;
        context.Notes["validation_map_selected"] = double.IsFinite(result.ValidationMap) ? result.ValidationMap : null;
        context.Notes["pretrained"] = result.PretrainedReport ?? "none (from scratch)";
        context.Notes["skipped_files"] = result.SkippedFiles.Count;
        context.Notes["history_note"] = "history.json: post_processing = stage, grl_lambda = learning rate";
        context.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"selected epoch {result.SelectedEpoch} of {result.History.Count}, validation mAP {result.ValidationMap:F4}")));
        return result.Model;
    }

    private static readonly JsonSerializerOptions FgCrossNetModelJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
