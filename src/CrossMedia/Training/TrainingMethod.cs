using CrossMedia.Evaluation;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Models;
using CrossMedia.Models.Cca;
using CrossMedia.Models.FgCrossNet;
using CrossMedia.Torch;

namespace CrossMedia.Training;

/// <summary>
/// A method <see cref="TrainingRun"/> trains, with its options: <see cref="CcaMethod"/>, <see cref="JfseMethod"/>
/// or <see cref="FgCrossNetMethod"/>. Each fits a model on the scenario's training set, records its resolved
/// settings in metrics.json's config and what it chose in its notes, and writes its own artefacts.
/// </summary>
public abstract record TrainingMethod
{
    private protected TrainingMethod() { }

    /// <summary>The method's name in metrics.json (and <c>--method</c>).</summary>
    public abstract string Name { get; }

    internal abstract IEmbeddingModel Train(RunContext context);

    /// <summary>snake_case names and enums, as metrics.json and history.json write them.</summary>
    private protected static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>history.json and training.png of a method trained in epochs.</summary>
    private protected static void WriteHistory(RunContext context, IReadOnlyList<EpochRecord> history, TrainingPlotOptions plot)
    {
        AtomicFile.WriteAllText(Path.Combine(context.OutputDirectory, "history.json"), JsonSerializer.Serialize(history, Json));
        TrainingPlot.Write(Path.Combine(context.OutputDirectory, "training.png"), history, plot);
    }
}

/// <summary>
/// Regularised CCA between the dataset's media of feature vectors (multi-set CCA for more than two); ridge, dimensions
/// and weighting chosen on validation (<see cref="CcaTrainer"/>). Which media: the data's (select them before the run).
/// </summary>
/// <param name="Search">What to fix and what to choose on validation; null: choose all, L2 input.</param>
public sealed record CcaMethod(CcaSearch? Search = null) : TrainingMethod
{
    public override string Name => "cca";

    internal override IEmbeddingModel Train(RunContext context)
    {
        var search = Search ?? new CcaSearch();
        var result = CcaTrainer.Fit(context.TrainingSet, null, context.Retrieval, search);
        // What the user asked for (a fixed value or "validation") defines the run's variant for
        // `results`; "cca" holds what validation chose, an outcome that may differ from seed to seed.
        JsonNode Asked(double? value) => value is { } v ? v : "validation";
        context.Config["cca_search"] = new JsonObject
        {
            ["input"] = JsonSerializer.SerializeToNode(search.Input),
            ["regularisation"] = Asked(search.Regularisation),
            ["dimensions"] = Asked(search.Dimensions),
            ["correlation_power"] = Asked(search.CorrelationPower),
        };
        context.Config["cca"] = JsonSerializer.SerializeToNode(result.Model.Config);
        context.Notes["cca_validation_candidates"] = new JsonArray(result.Candidates
            .Select(c => (JsonNode)new JsonObject
            {
                ["regularisation"] = c.Config.Regularisation,
                ["dimensions"] = c.Config.Dimensions,
                ["correlation_power"] = c.Config.CorrelationPower,
                ["val_map"] = c.ValidationMap,
            }).ToArray());
        context.Notes["canonical_correlations"] = new JsonArray(result.Model.Correlations.Select(c => (JsonNode)c).ToArray());
        context.Warn("cca_warnings", result.Warnings);
        return result.Model;
    }
}

/// <summary>JFSE (<see cref="JfseTrainer"/>): epoch and post-processing chosen on validation; history, plot and checkpoints.</summary>
/// <param name="ReportTestSelected">Also record the reference protocol's TEST-selected mAP (labelled; not a valid estimate).</param>
public sealed record JfseMethod(JfseTrainingOptions Options, bool ReportTestSelected = false) : TrainingMethod
{
    public override string Name => "jfse";

    internal override IEmbeddingModel Train(RunContext context)
    {
        var options = Options with { Seed = context.Seed };
        var device = TorchRuntime.ParseDevice(context.Device);
        var unseen = context.Scenario == Scenario.Standard ? new HashSet<int>() : context.Classes.Unseen.ToHashSet();
        Dataset? probe = null;
        if (ReportTestSelected)
        {
            probe = context.Data.Select(Split.Test);
            if (context.Scenario == Scenario.Zsl) probe = probe.SelectClasses(unseen);
        }
        var config = JsonSerializer.SerializeToNode(options, Json)!.AsObject();
        config["weights"] = JsonSerializer.SerializeToNode(options.EffectiveWeights, Json);
        config.Remove("effective_weights"); // "weights" above holds these values
        context.Config["jfse"] = config;

        if (context.Data.ClassEmbeddings is null)
            // The generators are conditioned on one-hot class codes then: on 34 TuxPaint classes that learned next to
            // nothing where MiniLM class-name vectors gave .61 (docs/results-encoders.md).
            context.Warn("jfse_warnings", ["jfse: the dataset has no class embeddings, so the generators see one-hot class codes; class-name vectors usually do far better (a class encoder such as minilm, or word vectors)"]);

        var result = new JfseTrainer(options, device, context.Progress)
            .Train(context.TrainingSet, unseen, null, context.Checkpoints, context.Resume, probe, context.Cancel);
        WriteHistory(context, result.History, new TrainingPlotOptions($"JFSE on {context.Data.Name}")
        {
            Media = result.Model.Media.Select(m => m.Name).ToArray(),
            BestOfPostProcessings = true,
        });
        var post = result.SelectedPostProcessing.ToString().ToLowerInvariant();
        context.Notes["selected_epoch"] = result.SelectedEpoch;
        context.Notes["selected_post_processing"] = post;
        context.Notes["validation_map_selected"] = double.IsFinite(result.ValidationMap) ? result.ValidationMap : null;
        context.Notes["epochs_run"] = result.EpochsRun;
        context.Notes["stopped_early"] = result.StoppedEarly;
        if (result.TestSelectedMap is { } testSelected)
        {
            var subset = SubsetNames.Headline(context.Scenario).Name();
            context.Notes["TEST_SELECTED_map_reference_protocol_not_a_valid_estimate"] = testSelected;
            context.Progress.Message(string.Create(CultureInfo.InvariantCulture,
                $"TEST-SELECTED mAP (reference protocol: best epoch and post-processing chosen ON THE TEST SET, {subset}, mean of both directions; not a valid estimate): {testSelected:F4}"));
        }
        context.Progress.Message(string.Create(CultureInfo.InvariantCulture,
            $"selected epoch {result.SelectedEpoch} of {result.EpochsRun} ({post}), validation mAP {result.ValidationMap:F4}"));
        return result.Model;
    }
}

/// <summary>FGCrossNet (<see cref="FgCrossNetTrainer"/>) on media files: stage 1 then stage 2, epoch chosen on validation; history, plot and checkpoints.</summary>
/// <param name="Config">Network and input settings; <c>Classes</c> is taken from the data, empty <c>MediumNames</c> means every file medium.</param>
public sealed record FgCrossNetMethod(FgCrossNetConfig Config, FgCrossNetTrainingOptions Options) : TrainingMethod
{
    public override string Name => FgCrossNetModel.MethodName;

    internal override IEmbeddingModel Train(RunContext context)
    {
        var set = context.TrainingSet;
        var config = Config with
        {
            Classes = set.ClassCount,
            MediumNames = Config.MediumNames.Length > 0 ? Config.MediumNames : set.Media.Where(m => m.Files is not null).Select(m => m.Name).ToArray(),
        };
        var options = Options with { Seed = context.Seed };
        context.Config["fgcrossnet"] = JsonSerializer.SerializeToNode(new { config, training = options }, PlainJson);

        var result = new FgCrossNetTrainer(options, TorchRuntime.ParseDevice(context.Device), context.Progress)
            .Train(set, config, context.Checkpoints, context.Resume, context.Cancel);
        WriteHistory(context, result.History, new TrainingPlotOptions($"FGCrossNet ({config.Backbone}) on {context.Data.Name}")
        {
            Media = config.MediumNames,
            SecondStageFrom = options.Stage1Epochs > 0 && options.Stage2Epochs > 0 ? options.Stage1Epochs + 1 : null,
        });
        context.Notes["selected_epoch"] = result.SelectedEpoch;
        context.Notes["validation_map_selected"] = double.IsFinite(result.ValidationMap) ? result.ValidationMap : null;
        context.Notes["epochs_run"] = result.History.Count;
        context.Notes["stopped_early"] = result.StoppedEarly;
        context.Notes["pretrained"] = result.PretrainedReport ?? "none (from scratch)";
        context.Notes["skipped_files"] = result.SkippedFiles.Count;
        context.Notes["history_note"] = "history.json: post_processing = stage, grl_lambda = learning rate";
        context.Progress.Message(string.Create(CultureInfo.InvariantCulture,
            $"selected epoch {result.SelectedEpoch} of {result.History.Count}, validation mAP {result.ValidationMap:F4}"));
        return result.Model;
    }

    /// <summary>FGCrossNet's config as metrics.json has always written it (enums as numbers).</summary>
    private static readonly JsonSerializerOptions PlainJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
