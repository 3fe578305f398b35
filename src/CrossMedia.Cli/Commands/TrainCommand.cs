using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using CrossMedia.Cli.Training;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Torch;
using CrossMedia.Training;
using Spectre.Console;

namespace CrossMedia.Cli.Commands;

/// <summary>
/// `crossmedia train`: load data, carve validation, restrict to the scenario's classes, fit the
/// method, evaluate validation and test once, save the model and metrics.json, print the table.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Every trainable method; one line each.</summary>
    private static ITrainMethod[] Methods() => [new CcaMethod(), new JfseMethod(), new FgCrossNetMethod()];

    public static Command Create()
    {
        var methods = Methods();
        var method = new Option<string>("--method") { Description = $"Method to train: {string.Join(", ", methods.Select(m => m.Name))}.", Required = true };
        method.AcceptOnlyFromAmong(methods.Select(m => m.Name).ToArray());
        var data = new DatasetOptions();
        var scenario = new Option<string>("--scenario") { Description = "standard (all classes seen), zsl (zero-shot: train on seen classes, report seen and unseen retrieval) or gzsl (one ranking over seen and unseen).", DefaultValueFactory = _ => "standard" };
        scenario.AcceptOnlyFromAmong("standard", "zsl", "gzsl");
        var unseen = new Option<string?>("--unseen") { Description = "zsl/gzsl: comma-separated unseen classes (indices or names), or random:FRACTION[:SEED] (a seeded draw spread over class groups, the name before '/'; SEED defaults to --seed). Default: classes with an even zero-based index (the DADN convention, 50/50)." };
        var output = new Option<string>("--out") { Description = "Output folder for the model, metrics.json and plots.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed (data split, initialisation, sampling).", DefaultValueFactory = _ => 1 };
        var metric = new Option<string>("--metric") { Description = "Retrieval distance for evaluation: cosine, ip (inner product) or l2 (Euclidean).", DefaultValueFactory = _ => "cosine" };
        metric.AcceptOnlyFromAmong([.. MetricNames.All]);
        var xAll = new Option<bool?>("--x-all") { Description = "Also evaluate X→All (gallery = every medium, the query itself excluded). Default: on with more than two media." };
        var threads = new Option<int>("--threads") { Description = "CPU threads for libtorch and evaluation (0 = all cores).", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };

        var command = new Command("train", "Train a cross-media model and evaluate it on validation and test data (writes OUT/metrics.json).");
        command.Options.Add(method);
        data.AddTo(command);
        foreach (var o in new Option[] { scenario, unseen, output, seed, metric, xAll, threads, device }) command.Options.Add(o);
        foreach (var o in methods.SelectMany(m => m.Options).Distinct()) command.Options.Add(o); // shared options once

        command.SetAction(parse =>
        {
            // metrics.json's started_utc is the start of the run, not the moment the record is written.
            var started = DateTime.UtcNow;
            var clock = Stopwatch.StartNew();
            var chosen = methods.Single(m => m.Name == parse.GetValue(method));
            int seedValue = parse.GetValue(seed);
            int threadCount = parse.GetValue(threads);
            TorchRuntime.Initialize(threadCount);
            var loaded = data.ResolveDetailed(parse, seedValue);
            var dataset = loaded.Dataset;
            loaded.Problems.ThrowIfErrors();
            var sc = ScenarioNames.Parse(parse.GetValue(scenario)!);
            var classes = sc == Scenario.Standard
                ? ClassSplit.AllSeen(dataset.ClassCount)
                : parse.GetValue(unseen) is { } list ? ClassSplit.Parse(list, dataset.ClassNames, seedValue) : ClassSplit.EvenIndexUnseen(dataset.ClassCount);
            var retrieval = new RetrievalOptions(MetricNames.Parse(parse.GetValue(metric)!), Threads: threadCount);
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            Directory.CreateDirectory(outDir);
            var console = CliConsole.For(parse.InvocationConfiguration.Output);

            var config = new JsonObject
            {
                ["method"] = chosen.Name,
                ["dataset"] = loaded.Source,
                ["scenario"] = sc.Name(),
                ["unseen_classes"] = new JsonArray(classes.Unseen.Order().Select(c => (JsonNode)dataset.ClassNames[c]).ToArray()),
                ["val_fraction"] = parse.GetValue(data.ValFraction),
                ["class_embeddings"] = loaded.ClassEmbeddingSource,
                ["metric"] = parse.GetValue(metric),
                ["threads"] = threadCount,
                ["device"] = parse.GetValue(device),
                ["media"] = new JsonArray(dataset.Media.Select(m => (JsonNode)m.Name).ToArray()),
            };
            var notes = new JsonObject();
            var trainingSet = ScenarioData.TrainingSet(dataset, sc, classes);
            var context = new TrainContext(parse, dataset, trainingSet, sc, classes, retrieval, seedValue, threadCount,
                parse.GetValue(device)!, outDir, console, config, notes);
            using var model = chosen.Train(context);
            model.Save(outDir);

            bool includeAll = parse.GetValue(xAll) ?? model.Media.Count > 2;
            var record = new RunRecord
            {
                Method = chosen.Name,
                Dataset = dataset.Name,
                Scenario = sc.Name(),
                Seed = seedValue,
                StartedUtc = started,
                Config = config,
                DataChecksums = dataset.Checksums,
                Notes = notes,
            };
            // Validation holds the training classes only (all of them, or the seen ones), so it is ranked
            // as a standard scenario; test is evaluated once, here, under the real scenario.
            // Undecodable files are left out of the evaluation and listed, as training does.
            void Skipped(CrossMedia.Media.MediaProblem p) => console.MarkupLine($"[yellow]skipped {Markup.Escape(p.ToString())}[/]");
            record.Results.AddRange(ScenarioEvaluation.Evaluate(model, trainingSet, Split.Val, Scenario.Standard, null, retrieval, includeAll, Skipped)
                .Select(r => r with { Subset = sc == Scenario.Standard ? "all" : "seen" }));
            record.Results.AddRange(ScenarioEvaluation.Evaluate(model, dataset, Split.Test, sc, classes, retrieval, includeAll, Skipped));
            foreach (var g in record.Results.GroupBy(r => $"{r.Split}_{r.Subset}"))
            {
                // Both averages the FGCrossNet paper reports: bi-modal directions and X → All.
                notes[$"{g.Key}_average_bimodal"] = MeanOrNull(g.Where(r => r.Gallery != "all"));
                notes[$"{g.Key}_average_x_all"] = MeanOrNull(g.Where(r => r.Gallery == "all"));
            }
            record.Seconds = clock.Elapsed.TotalSeconds;
            record.Save(Path.Combine(outDir, "metrics.json"));

            ResultsTable.Write(console, record.Results, $"{chosen.Name} on {dataset.Name}");
            console.MarkupLine($"[grey]model and metrics.json written to {Markup.Escape(outDir)} ({record.Seconds:F1} s)[/]");
            return 0;
        });
        return command;
    }

    /// <summary>Mean mAP of the rows, or null (JSON null) when there are none.</summary>
    private static double? MeanOrNull(IEnumerable<ResultRow> rows) =>
        rows.Select(r => r.Map).DefaultIfEmpty(double.NaN).Average() is var m && double.IsFinite(m) ? m : null;
}
