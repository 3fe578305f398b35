using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Evaluation;
using Spectre.Console;

namespace CrossMedia.Cli.Commands;

/// <summary>
/// `crossmedia results RUN...`: the figures of several runs (e.g. one per seed, or several methods)
/// side by side as mean ± standard deviation, grouped by method, dataset and scenario.
/// </summary>
internal static class ResultsCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "Run folders written by 'crossmedia train' (or their metrics.json files).", Arity = ArgumentArity.OneOrMore };
        var split = new Option<string>("--split") { Description = "Which split's figures: test, val or all.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "val", "all");
        var json = new Option<bool>("--json") { Description = "Print the summary as a JSON array instead of tables." };

        var command = new Command("results", "Summarise runs (seeds, methods) as mean ± standard deviation per direction, grouped by method, dataset and scenario.");
        command.Arguments.Add(runs);
        command.Options.Add(split);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var records = parse.GetValue(runs)!.Select(Load).ToList();
            var which = parse.GetValue(split)!;
            var rows = RunSummary.Summarize(records).Where(r => which == "all" || r.Split == which).ToList();
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(new JsonArray(rows.Select(r => (JsonNode)new JsonObject
                {
                    ["method"] = r.Method, ["dataset"] = r.Dataset, ["scenario"] = r.Scenario, ["split"] = r.Split, ["subset"] = r.Subset,
                    ["query"] = r.Query, ["gallery"] = r.Gallery, ["mean"] = r.Mean, ["std"] = r.StandardDeviation,
                    ["seeds"] = new JsonArray(r.Seeds.Select(s => (JsonNode)s).ToArray()),
                }).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var console = CliConsole.For(output);
            foreach (var warning in Mismatches(records)) console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
            foreach (var group in rows.GroupBy(r => (r.Method, r.Dataset, r.Scenario)))
            {
                var seeds = group.SelectMany(r => r.Seeds).Distinct().ToList();
                console.MarkupLine($"[bold]{Markup.Escape(group.Key.Method)} on {Markup.Escape(group.Key.Dataset)}, {Markup.Escape(group.Key.Scenario)}[/] — " +
                                   $"{group.Max(r => r.Seeds.Count)} run(s), seeds {string.Join(", ", seeds)}");
                var table = new Table().AddColumn("split").AddColumn("subset").AddColumn("query → gallery")
                    .AddColumn(new TableColumn("mAP mean").RightAligned()).AddColumn(new TableColumn("± std").RightAligned()).AddColumn(new TableColumn("runs").RightAligned());
                foreach (var r in group)
                {
                    bool average = r.Query == "average";
                    string Bold(string text) => average ? $"[bold]{text}[/]" : text;
                    table.AddRow(r.Split, Markup.Escape(r.Subset), Bold(average ? "average (bi-modal)" : Markup.Escape($"{r.Query} → {r.Gallery}")),
                        Bold(r.Mean.ToString("F4", CultureInfo.InvariantCulture)),
                        r.StandardDeviation is { } sd ? sd.ToString("F4", CultureInfo.InvariantCulture) : "",
                        r.Seeds.Count.ToString(CultureInfo.InvariantCulture));
                }
                console.Write(table);
            }
            return 0;
        });
        return command;
    }

    private static RunRecord Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "metrics.json") : path;
        if (!File.Exists(file)) throw new InputException(path, "", "a run folder holding metrics.json, or a metrics.json file", "no such file");
        return RunRecord.Load(file);
    }

    /// <summary>Runs summarised together that read other data files or ran other code: worth knowing before trusting a mean.</summary>
    private static IEnumerable<string> Mismatches(IReadOnlyList<RunRecord> records)
    {
        foreach (var group in records.GroupBy(r => (r.Method, r.Dataset, r.Scenario)))
        {
            string Checksums(RunRecord r) => string.Join(";", r.DataChecksums.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
            if (group.Select(Checksums).Distinct().Count() > 1)
                yield return $"the {group.Key.Method} runs on {group.Key.Dataset} ({group.Key.Scenario}) read different data files (data_checksums differ)";
            if (group.Select(r => r.Version).Distinct().Count() > 1)
                yield return $"the {group.Key.Method} runs on {group.Key.Dataset} ({group.Key.Scenario}) come from different code versions: {string.Join(", ", group.Select(r => r.Version).Distinct())}";
        }
    }
}
