using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Models;
using CrossMedia.Models.Losses;
using CrossMedia.Torch;
using CrossMedia.Training;
using Spectre.Console;

namespace CrossMedia.Cli.Training;

/// <summary>
/// `--method jfse`: joint feature synthesis and embedding (shared/spec/JFSE.md). Selects the epoch and
/// post-processing on validation, writes history.json and training.png next to the model, and
/// checkpoints (OUT/checkpoints) so that `--resume` continues an interrupted run exactly.
/// </summary>
internal sealed class JfseMethod : ITrainMethod
{
    private readonly Option<int> _epochs = new("--epochs") { Description = "jfse: maximum epochs (paper: 500).", DefaultValueFactory = _ => 500 };
    private readonly Option<int> _hidden = new("--hidden") { Description = "jfse: hidden width of generators, critics and regressors (paper: 4096).", DefaultValueFactory = _ => 4096 };
    private readonly Option<string> _alignment = new("--alignment") { Description = "jfse: distribution alignment between media: cmpm (default), cmmd or cmca.", DefaultValueFactory = _ => "cmpm" };
    private readonly Option<int> _noise = new("--noise-dim") { Description = "jfse: dimension of the generators' noise input z (paper: 300).", DefaultValueFactory = _ => 300 };
    private readonly Option<string> _betas = new("--adam-betas") { Description = "jfse: Adam β1,β2 of every network (paper: 0.5,0.999).", DefaultValueFactory = _ => "0.5,0.999" };
    private readonly Option<int> _unseenPerBatch = new("--unseen-per-batch") { Description = "jfse, zsl/gzsl: unseen-class embeddings drawn per batch for feature synthesis (0 = the batch size).", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _critic = new("--critic-steps") { Description = "jfse: critic updates per generator/regressor/classifier update.", DefaultValueFactory = _ => 5 };
    private readonly Option<int> _evalEvery = new("--eval-every") { Description = "jfse: evaluate on validation every N epochs (and after the last).", DefaultValueFactory = _ => 2 };
    private readonly Option<int> _patience = new("--patience") { Description = "jfse: stop after N validation evaluations without improvement (0 = never).", DefaultValueFactory = _ => 0 };
    private readonly Option<bool> _zScore = new("--zscore") { Description = "jfse: z-score each medium's embeddings with training statistics before ranking (reference behaviour).", DefaultValueFactory = _ => true };
    private readonly Option<string?> _weights = new("--loss-weights") { Description = "jfse: override loss weights, e.g. regressor_cycle_synthetic=1,regressor_alignment_real=0.01 (names as in metrics.json config.jfse.weights; default: the reference weighting)." };
    private readonly Option<bool> _reportTestSelected = new("--report-test-selected") { Description = "jfse: also print the reference protocol's TEST-selected mAP (best epoch and post-processing chosen on test; not a valid estimate, labelled as such)." };

    public string Name => "jfse";
    public IReadOnlyList<Option> Options => [_epochs, _hidden, _noise, _alignment, _unseenPerBatch, _betas, SharedTrainOptions.BatchSize, _critic, SharedTrainOptions.LearningRate, _evalEvery, _patience, SharedTrainOptions.CheckpointEvery, SharedTrainOptions.Resume, _zScore, _weights, _reportTestSelected];

    public IEmbeddingModel Train(TrainContext context)
    {
        var p = context.Parse;
        var (beta1, beta2) = ParseBetas(p.GetValue(_betas)!);
        var options = new JfseTrainingOptions(
            Epochs: p.GetValue(_epochs),
            BatchSize: p.GetValue(SharedTrainOptions.BatchSize) ?? 64,
            CriticSteps: p.GetValue(_critic),
            LearningRate: p.GetValue(SharedTrainOptions.LearningRate) ?? 1e-4,
            Beta1: beta1,
            Beta2: beta2,
            Hidden: p.GetValue(_hidden),
            NoiseDimension: p.GetValue(_noise),
            UnseenSamplesPerBatch: p.GetValue(_unseenPerBatch),
            Alignment: AlignmentLoss.Parse(p.GetValue(_alignment)!),
            ZScore: p.GetValue(_zScore),
            EvalEvery: p.GetValue(_evalEvery),
            Patience: p.GetValue(_patience),
            CheckpointEvery: p.GetValue(SharedTrainOptions.CheckpointEvery) ?? 10,
            Seed: context.Seed,
            Weights: JfseLossWeights.Parse(p.GetValue(_weights)));
        var device = TorchRuntime.ParseDevice(context.Device);
        string checkpoints = Path.Combine(context.OutputDirectory, "checkpoints");
        bool resume = SharedTrainOptions.PrepareResume(p, checkpoints);

        var unseen = context.Scenario == Scenario.Standard ? new HashSet<int>() : context.Classes.Unseen.ToHashSet();
        Dataset? probe = null;
        if (p.GetValue(_reportTestSelected))
        {
            probe = context.Data.Select(Split.Test);
            if (context.Scenario == Scenario.Zsl) probe = probe.SelectClasses(unseen);
        }
        var config = JsonSerializer.SerializeToNode(options, JsonOptions)!.AsObject();
        config["weights"] = JsonSerializer.SerializeToNode(options.EffectiveWeights, JsonOptions);
        config.Remove("effective_weights"); // the same values as "weights" now
        context.Config["jfse"] = config;

        if (context.Data.ClassEmbeddings is null)
        {
            // The generators are conditioned on one-hot class codes then: on 34 TuxPaint classes that learned next to
            // nothing where MiniLM class-name vectors gave .61 (docs/results-encoders.md).
            const string Warning = "jfse: the dataset has no class embeddings, so the generators see one-hot class codes; class-name vectors usually do far better (--class-encoder minilm, or --word-vectors FILE)";
            context.Notes["jfse_warnings"] = new JsonArray(Warning);
            context.Console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(Warning)}");
        }
        var progress = new SpectreTrainingProgress(context.Console);
        var result = progress.Run(() => new JfseTrainer(options, device, progress)
            .Train(context.TrainingSet, unseen, null, checkpoints, resume, probe));

        AtomicFile.WriteAllText(Path.Combine(context.OutputDirectory, "history.json"), JsonSerializer.Serialize(result.History, JsonOptions));
        TrainingPlot.Write(Path.Combine(context.OutputDirectory, "training.png"), result.History,
            new TrainingPlotOptions($"JFSE on {context.Data.Name}") { Media = context.TrainingSet.Media.Take(2).Select(m => m.Name).ToArray(), BestOfPostProcessings = true });
        context.Notes["selected_epoch"] = result.SelectedEpoch;
        context.Notes["selected_post_processing"] = result.SelectedPostProcessing.ToString().ToLowerInvariant();
        context.Notes["validation_map_selected"] = double.IsFinite(result.ValidationMap) ? result.ValidationMap : null;
        context.Notes["epochs_run"] = result.EpochsRun;
        context.Notes["stopped_early"] = result.StoppedEarly;
        if (result.TestSelectedMap is { } testSelected)
        {
            string subset = context.Scenario switch { Scenario.Zsl => "unseen", Scenario.Gzsl => "gzsl", _ => "all" };
            context.Notes["TEST_SELECTED_map_reference_protocol_not_a_valid_estimate"] = testSelected;
            context.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"TEST-SELECTED mAP (reference protocol: best epoch and post-processing chosen ON THE TEST SET, {subset}, mean of both directions; not a valid estimate): {testSelected:F4}")));
        }
        context.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"selected epoch {result.SelectedEpoch} of {result.EpochsRun} ({result.SelectedPostProcessing}), validation mAP {result.ValidationMap:F4}")));
        return result.Model;
    }

    private static (double, double) ParseBetas(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var b1)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b2))
            return (b1, b2);
        throw new InputException("--adam-betas", "", "two numbers separated by a comma, e.g. 0.5,0.999", $"'{text}'");
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
