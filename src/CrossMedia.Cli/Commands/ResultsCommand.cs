using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Evaluation;
using Spectre.Console;

namespace CrossMedia.Cli.Commands;

/// <summary>
/// `crossmedia results RUN...`: the figures of several runs (e.g. one per seed, or several methods)
/// as mean ± standard deviation: a table per dataset and scenario with a column per method.
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
                    ["method"] = r.Method, ["variant"] = r.Variant, ["dataset"] = r.Dataset, ["scenario"] = r.Scenario, ["split"] = r.Split, ["subset"] = r.Subset,
                    ["query"] = r.Query, ["gallery"] = r.Gallery, ["mean"] = r.Mean, ["std"] = r.StandardDeviation,
                    ["seeds"] = new JsonArray(r.Seeds.Select(s => (JsonNode)s).ToArray()),
                }).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var console = CliConsole.For(output);
            foreach (var warning in Mismatches(records)) console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
            // One table per dataset and scenario, a column per method: the layout of a paper's results table.
            foreach (var table in rows.GroupBy(r => (r.Dataset, r.Scenario)))
            {
                var methods = table.Select(r => (r.Method, r.Variant)).Distinct().ToList();
                static string Name((string Method, string Variant) m) => m.Variant.Length == 0 ? m.Method : $"{m.Method} [{m.Variant}]";
                console.MarkupLine($"[bold]{Markup.Escape(table.Key.Dataset)}, {Markup.Escape(table.Key.Scenario)}[/] — mAP mean ± sample standard deviation (runs); seeds: " +
                    string.Join("; ", methods.Select(m => $"{Markup.Escape(Name(m))} {string.Join(", ", table.Where(r => (r.Method, r.Variant) == m).SelectMany(r => r.Seeds).Distinct())}")));
                var grid = new Table().AddColumn("split").AddColumn("subset").AddColumn("query → gallery");
                foreach (var m in methods) grid.AddColumn(new TableColumn(Markup.Escape(Name(m))).RightAligned());
                foreach (var figure in table.GroupBy(r => (r.Split, r.Subset, r.Query, r.Gallery)))
                {
                    bool average = figure.Key.Query == "average";
                    string Bold(string text) => average ? $"[bold]{text}[/]" : text;
                    var cells = new List<string> { figure.Key.Split, Markup.Escape(figure.Key.Subset),
                        Bold(average ? "average (bi-modal)" : Markup.Escape($"{figure.Key.Query} → {figure.Key.Gallery}")) };
                    foreach (var m in methods)
                        cells.Add(figure.FirstOrDefault(r => (r.Method, r.Variant) == m) is { } r ? Bold(Cell(r)) : "");
                    grid.AddRow(cells.ToArray());
                }
                console.Write(grid);
            }
            return 0;
        });
        return command;
    }

    /// <summary>"0.3605 ± 0.0012 (3)"; a single run shows its value alone.</summary>
    private static string Cell(SummaryRow r) => r.StandardDeviation is { } sd
        ? string.Create(CultureInfo.InvariantCulture, $"{r.Mean:F4} ± {sd:F4} ({r.Seeds.Count})")
        : r.Mean.ToString("F4", CultureInfo.InvariantCulture);

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
            // Configurations are told apart as variants; data and code are not, hence these warnings.
            string Checksums(RunRecord r) => string.Join(";", r.DataChecksums.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
            if (group.Select(Checksums).Distinct().Count() > 1)
                yield return $"the {group.Key.Method} runs on {group.Key.Dataset} ({group.Key.Scenario}) read different data files (data_checksums differ)";
            if (group.Select(r => r.Version).Distinct().Count() > 1)
                yield return $"the {group.Key.Method} runs on {group.Key.Dataset} ({group.Key.Scenario}) come from different code versions: {string.Join(", ", group.Select(r => r.Version).Distinct())}";
        }
    }
}
