using System.Diagnostics;
using System.Text.Json.Nodes;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Torch;

namespace CrossMedia.Training;

/// <summary>What <see cref="TrainingRun.Run"/> trains and where it writes.</summary>
/// <param name="Data">The whole dataset, splits carved (its test items are evaluated once, never trained on).</param>
/// <param name="Method">The method and its options: <see cref="CcaMethod"/>, <see cref="JfseMethod"/> or <see cref="FgCrossNetMethod"/>.</param>
/// <param name="OutputDirectory">Where the model, metrics.json and the method's artefacts go (created when missing; files of an earlier run of the same name are replaced).</param>
public sealed record TrainingRunOptions(Dataset Data, TrainingMethod Method, string OutputDirectory)
{
    public Scenario Scenario { get; init; } = Scenario.Standard;
    /// <summary>Seen and unseen classes of a zero-shot scenario; null: <see cref="ClassSplit.EvenIndexUnseen"/>. Ignored in the standard scenario.</summary>
    public ClassSplit? Classes { get; init; }
    /// <summary>The run's seed, recorded; it is also the method's seed (it replaces the Seed of the method's options).</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Retrieval distance of the evaluation.</summary>
    public Metric Metric { get; init; } = Metric.Cosine;
    /// <summary>Also evaluate X→All; null: with more than two media.</summary>
    public bool? IncludeAll { get; init; }
    /// <summary>CPU threads of libtorch and the evaluation; 0 = every core.</summary>
    public int Threads { get; init; }
    /// <summary>cpu, cuda or cuda:N (methods that train networks).</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>The output folder of an earlier run (this one's or another) whose newest checkpoint to continue from; null: start afresh.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>Where the data came from, recorded as metrics.json's <c>dataset</c> (<see cref="DatasetLoadResult.Source"/>); null: the dataset's name.</summary>
    public string? DatasetSource { get; init; }
    /// <summary>Where the class embeddings came from (<see cref="DatasetLoadResult.ClassEmbeddingSource"/>), recorded.</summary>
    public string? ClassEmbeddingSource { get; init; }
    /// <summary>Media of the data as loaded that the caller left out before the run (<see cref="DatasetLoadResult.UnselectedMedia"/>), each warned about.</summary>
    public IReadOnlyList<string> UnselectedMedia { get; init; } = [];
    /// <summary>The validation fraction the data was loaded with, recorded.</summary>
    public double? ValFraction { get; init; }
}

/// <summary>
/// A whole training run, as <c>crossmedia train</c> does it: restrict the data to the scenario's training
/// classes, train the method (selecting on validation), save the model, evaluate validation and test once,
/// and write <c>metrics.json</c> (<see cref="RunRecord"/>) with the method's artefacts (history.json,
/// training.png and checkpoints for JFSE and FGCrossNet). Progress, warnings and the selection go to the progress sink.
/// </summary>
public static class TrainingRun
{
    public const string MetricsFile = "metrics.json";
    public const string CheckpointFolder = "checkpoints";

    public static RunRecord Run(TrainingRunOptions options, ITrainingProgress? progress = null, CancellationToken cancel = default)
    {
        // metrics.json's started_utc is the start of the run, not the moment the record is written.
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        progress ??= NullTrainingProgress.Instance;
        TorchRuntime.Initialize(options.Threads);
        var dataset = options.Data;
        var scenario = options.Scenario;
        var classes = scenario == Scenario.Standard ? ClassSplit.AllSeen(dataset.ClassCount) : options.Classes ?? ClassSplit.EvenIndexUnseen(dataset.ClassCount);
        var retrieval = new RetrievalOptions(options.Metric, Threads: options.Threads);
        var outDir = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(outDir);

        var config = new JsonObject
        {
            ["method"] = options.Method.Name,
            ["dataset"] = options.DatasetSource ?? dataset.Name,
            ["scenario"] = scenario.Name(),
            ["unseen_classes"] = new JsonArray(classes.Unseen.Order().Select(c => (JsonNode)dataset.ClassNames[c]).ToArray()),
            ["val_fraction"] = options.ValFraction,
            ["class_embeddings"] = options.ClassEmbeddingSource,
            ["metric"] = options.Metric.Name(),
            ["threads"] = options.Threads,
            ["device"] = options.Device,
            ["media"] = null, // set once the model says which media it uses
        };
        var notes = new JsonObject();
        var trainingSet = ScenarioData.TrainingSet(dataset, scenario, classes);
        var context = new RunContext(dataset, trainingSet, scenario, classes, retrieval, options.Seed, options.Device, outDir,
            PrepareResume(options.ResumeFrom, Path.Combine(outDir, CheckpointFolder)), progress, config, notes, cancel);
        using var model = options.Method.Train(context);
        model.Save(outDir);
        // The media the model was trained on; a warning for every other medium of the dataset.
        config["media"] = new JsonArray(model.Media.Select(m => (JsonNode)m.Name).ToArray());
        context.Warn("media_warnings", TrainingMedia.LeftOut(dataset, options.UnselectedMedia, model));

        bool includeAll = options.IncludeAll ?? model.Media.Count > 2;
        var record = new RunRecord
        {
            Method = options.Method.Name,
            Dataset = dataset.Name,
            Scenario = scenario.Name(),
            Seed = options.Seed,
            StartedUtc = started,
            Config = config,
            DataChecksums = dataset.Checksums,
            Notes = notes,
        };
        // Validation holds the training classes only (all of them, or the seen ones), so it is ranked
        // as a standard scenario; test is evaluated once, here, under the real scenario.
        // Undecodable files are left out of the evaluation and listed, as training does.
        void Skipped(Media.MediaProblem p) => progress.Message($"skipped {p}");
        record.Results.AddRange(ScenarioEvaluation.Evaluate(model, trainingSet, Split.Val, Scenario.Standard, null, retrieval, includeAll, Skipped)
            .Select(r => r with { Subset = scenario == Scenario.Standard ? Subset.All : Subset.Seen }));
        record.Results.AddRange(ScenarioEvaluation.Evaluate(model, dataset, Split.Test, scenario, classes, retrieval, includeAll, Skipped));
        foreach (var g in record.Results.GroupBy(r => $"{r.Split.Name()}_{r.Subset.Name()}"))
        {
            // Both averages the FGCrossNet paper reports: bi-modal directions and X → All.
            notes[$"{g.Key}_average_bimodal"] = MeanOrNull(g.Where(r => !r.ToAllMedia));
            notes[$"{g.Key}_average_x_all"] = MeanOrNull(g.Where(r => r.ToAllMedia));
        }
        record.Seconds = clock.Elapsed.TotalSeconds;
        record.Save(Path.Combine(outDir, MetricsFile));
        return record;
    }

    /// <summary>
    /// With <paramref name="from"/>: checks that its checkpoints folder has a checkpoint and copies it into
    /// <paramref name="checkpoints"/> (unless it is the same folder). Returns whether to resume.
    /// </summary>
    private static bool PrepareResume(string? from, string checkpoints)
    {
        if (from is null) return false;
        var source = Path.Combine(Path.GetFullPath(from), CheckpointFolder);
        if (new CheckpointStore(source).Latest() is null)
            throw new InputException(from, "checkpoint", $"a checkpoint under {source} to resume from", "none");
        if (!string.Equals(Path.GetFullPath(source), Path.GetFullPath(checkpoints), StringComparison.Ordinal))
        {
            Directory.CreateDirectory(checkpoints);
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(checkpoints, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }
        return true;
    }


    /// <summary>Mean mAP of the rows, or null (JSON null) when there are none.</summary>
    private static double? MeanOrNull(IEnumerable<ResultRow> rows) =>
        rows.Select(r => r.Map).DefaultIfEmpty(double.NaN).Average() is var m && double.IsFinite(m) ? m : null;
}

/// <summary>What a method gets from <see cref="TrainingRun"/>.</summary>
/// <param name="Data">The whole dataset (methods must not touch its test items but for a labelled test probe).</param>
/// <param name="TrainingSet">Train and validation items allowed in this scenario.</param>
/// <param name="Resume">Continue from the newest checkpoint in <see cref="Checkpoints"/>.</param>
/// <param name="Config">Configuration recorded in metrics.json; a method adds its resolved settings.</param>
/// <param name="Notes">Facts recorded in metrics.json (selected epoch, candidates tried, warnings, ...).</param>
internal sealed record RunContext(
    Dataset Data,
    Dataset TrainingSet,
    Scenario Scenario,
    ClassSplit Classes,
    RetrievalOptions Retrieval,
    int Seed,
    string Device,
    string OutputDirectory,
    bool Resume,
    ITrainingProgress Progress,
    JsonObject Config,
    JsonObject Notes,
    CancellationToken Cancel)
{
    public string Checkpoints => Path.Combine(OutputDirectory, TrainingRun.CheckpointFolder);

    /// <summary>A warning: said now ("warning: ..."), kept in notes[<paramref name="key"/>].</summary>
    public void Warn(string key, IReadOnlyList<string> warnings)
    {
        Notes[key] = new JsonArray(warnings.Select(w => (JsonNode)w).ToArray());
        foreach (var w in warnings) Progress.Message($"warning: {w}");
    }
}
