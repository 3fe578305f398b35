using CrossMedia.Core;
using System.CommandLine;
using CrossMedia.Cli.Training;
using CrossMedia.Evaluation;
using CrossMedia.Models;
using CrossMedia.Torch;
using CrossMedia.Training;
using Spectre.Console;

namespace CrossMedia.Cli.Commands;

/// <summary>
/// `crossmedia train`: options shared by every method, then each method's own (a section each in --help;
/// another method's option is refused), one <see cref="TrainingRun"/>, and the table.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Every trainable method; one line each.</summary>
    private static IMethodOptions[] Methods() => [new CcaOptions(), new JfseOptions(), new FgCrossNetOptions()];

    public static Command Create()
    {
        var methods = Methods();
        var method = new Option<string>("--method") { Description = $"Method to train: {string.Join(", ", methods.Select(m => m.Name))} (its options are listed below).", Required = true };
        method.AcceptOnlyFromAmong(methods.Select(m => m.Name).ToArray());
        var data = new DatasetOptions();
        var scenario = new Option<string>("--scenario") { Description = "standard (all classes seen), zsl (zero-shot: train on seen classes, report seen and unseen retrieval) or gzsl (one ranking over seen and unseen).", DefaultValueFactory = _ => "standard" };
        scenario.AcceptOnlyFromAmong("standard", "zsl", "gzsl");
        var unseen = new Option<string?>("--unseen") { Description = "zsl/gzsl: comma-separated unseen classes (indices or names), or random:FRACTION[:SEED] (a seeded draw spread over class groups, the name before '/'; SEED defaults to --seed). Default: classes with an even zero-based index (the DADN convention, 50/50)." };
        var output = new Option<string>("--out") { Description = "Output folder for the model, metrics.json and plots: new or empty (see --overwrite; --resume may continue in it).", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the contents of a non-empty --out that an earlier run wrote." };
        var seed = new Option<int>("--seed") { Description = "Random seed (data split, initialisation, sampling).", DefaultValueFactory = _ => 1 };
        var metric = new Option<string>("--metric") { Description = "Retrieval distance for evaluation: cosine, ip (inner product) or l2 (Euclidean).", DefaultValueFactory = _ => "cosine" };
        metric.AcceptOnlyFromAmong([.. MetricNames.All]);
        var xAll = new Option<bool?>("--x-all") { Description = "Also evaluate X→All (gallery = every medium, the query itself excluded). Default: on with more than two media." };
        var threads = new Option<int>("--threads") { Description = "CPU threads for libtorch and evaluation (0 = all cores).", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };

        var command = new SectionedCommand("train", "Train a cross-media model and evaluate it on validation and test data (writes OUT/metrics.json).");
        command.Options.Add(method);
        data.AddTo(command);
        foreach (var o in new Option[] { scenario, unseen, output, overwrite, seed, metric, xAll, threads, device }) command.Options.Add(o);
        foreach (var m in methods) command.AddSection($"Options of --method {m.Name}", m.Options);

        command.SetAction(parse =>
        {
            var chosen = methods.Single(m => m.Name == parse.GetValue(method));
            RefuseForeignOptions(parse, chosen, methods);
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            var resumeFrom = parse.GetValue(SharedTrainOptions.Resume);
            bool clear = CheckOutput(outDir, parse.GetValue(overwrite), resumeFrom);
            var trainingMethod = chosen.Read(parse);

            int seedValue = parse.GetValue(seed);
            int threadCount = parse.GetValue(threads);
            TorchRuntime.Initialize(threadCount);
            var loaded = data.ResolveDetailed(parse, seedValue);
            var dataset = loaded.Dataset;
            loaded.Problems.ThrowIfErrors();
            var sc = ScenarioNames.Parse(parse.GetValue(scenario)!);
            var classes = sc != Scenario.Standard && parse.GetValue(unseen) is { } list ? ClassSplit.Parse(list, dataset.ClassNames, seedValue) : null;
            var options = new TrainingRunOptions(dataset, trainingMethod, outDir)
            {
                Scenario = sc,
                Classes = classes,
                Seed = seedValue,
                Metric = MetricNames.Parse(parse.GetValue(metric)!),
                IncludeAll = parse.GetValue(xAll),
                Threads = threadCount,
                Device = parse.GetValue(device)!,
                ResumeFrom = resumeFrom,
                DatasetSource = loaded.Source,
                ClassEmbeddingSource = loaded.ClassEmbeddingSource,
                UnselectedMedia = loaded.UnselectedMedia ?? [],
                ValFraction = parse.GetValue(data.ValFraction),
            };
            if (clear) ClearOutput(outDir); // only now that the data loaded: a refused run leaves the old one

            var console = CliConsole.For(parse.InvocationConfiguration.Output);
            var progress = new SpectreTrainingProgress(console);
            var record = trainingMethod is CcaMethod ? TrainingRun.Run(options, progress) : progress.Run(() => TrainingRun.Run(options, progress));
            ResultsTable.Write(console, record.Results, $"{chosen.Name} on {dataset.Name}");
            console.MarkupLine($"[grey]model and metrics.json written to {Markup.Escape(outDir)} ({record.Seconds:F1} s)[/]");
            return 0;
        });
        return command;
    }

    /// <summary>An option given on the command line that belongs to other methods only: one line naming it and its methods.</summary>
    private static void RefuseForeignOptions(ParseResult parse, IMethodOptions chosen, IMethodOptions[] methods)
    {
        foreach (var option in methods.SelectMany(m => m.Options).Distinct().Except(chosen.Options))
            if (parse.GetResult(option) is { Implicit: false })
            {
                var owners = methods.Where(m => m.Options.Contains(option)).Select(m => m.Name);
                throw new InputException(option.Name, "", $"an option of --method {chosen.Name}", $"an option of --method {string.Join(" or ", owners)}");
            }
    }

    /// <summary>
    /// Refuses a non-empty --out unless --overwrite (then it is to be cleared) or --resume continues in it; returns whether to clear it.
    /// Only a folder an earlier run wrote is ever cleared, so a mistyped --out cannot delete anything else.
    /// </summary>
    private static bool CheckOutput(string outDir, bool overwrite, string? resumeFrom)
    {
        bool resumingHere = resumeFrom is not null && Path.GetFullPath(resumeFrom).TrimEnd('/') == outDir.TrimEnd('/');
        if (resumingHere)
        {
            if (overwrite) throw new InputException("--overwrite", "", "no --overwrite when --resume continues in --out (it would delete the checkpoints to resume from)", "both");
            return false;
        }
        if (!Directory.Exists(outDir) || !Directory.EnumerateFileSystemEntries(outDir).Any()) return false;
        if (!overwrite)
            throw new InputException("--out", "", "a new or empty folder (--overwrite replaces an earlier run's; --resume DIR continues one)", $"'{outDir}', not empty");
        if (!File.Exists(Path.Combine(outDir, TrainingRun.MetricsFile)) && !File.Exists(Path.Combine(outDir, ModelStore.ManifestFile))
            && !Directory.Exists(Path.Combine(outDir, TrainingRun.CheckpointFolder)))
            throw new InputException("--overwrite", "", $"an earlier run's folder to replace (with {TrainingRun.MetricsFile}, {ModelStore.ManifestFile} or {TrainingRun.CheckpointFolder}/)",
                $"'{outDir}' without any; nothing was deleted");
        return true;
    }

    private static void ClearOutput(string outDir)
    {
        foreach (var dir in Directory.EnumerateDirectories(outDir)) Directory.Delete(dir, true);
        foreach (var file in Directory.EnumerateFiles(outDir)) File.Delete(file);
    }
}
