using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using Spectre.Console;

namespace CrossMedia.Cli.Commands;

/// <summary>
/// `crossmedia results --run RUN...`: the figures of several runs (e.g. one per seed, or several methods)
/// as mean ± standard deviation: a table per dataset and scenario with a column per method.
/// </summary>
internal static class ResultsCommand
{
    public static Command Create()
    {
        // Paths, so several after one --run (a shell glob: --run runs/jfse-*) rather than a comma list.
        var runs = new Option<string[]>("--run")
        {
            Description = "Run folders written by 'crossmedia train' (or their metrics.json files); several after one --run (e.g. --run runs/jfse-*) or --run repeated.",
            Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var split = new Option<string>("--split") { Description = "Which split's figures: test, val or all.", DefaultValueFactory = _ => Split.Test.Name() };
        split.AcceptOnlyFromAmong(Split.Test.Name(), Split.Val.Name(), EverySplit);
        var json = new Option<bool>("--json") { Description = "Print the summary as a JSON array instead of tables." };
        var markdown = new Option<bool>("--markdown") { Description = "Print the tables as Markdown (to paste into a README or a paper's notes)." };

        var command = new Command("results", "Summarise runs (seeds, methods) as mean ± standard deviation per direction: a table per dataset and scenario, a column per method and configuration.");
        command.Options.Add(runs);
        command.Options.Add(split);
        command.Options.Add(json);
        command.Options.Add(markdown);
        command.SetAction(parse =>
        {
            var records = parse.GetValue(runs)!.Select(Load).ToList();
            Split? only = parse.GetValue(split) is var which && which != EverySplit ? SplitNames.Parse(which!, "--split") : null;
            var rows = RunSummary.Summarize(records).Where(r => only is null || r.Split == only).ToList();
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(new JsonArray(rows.Select(r => (JsonNode)new JsonObject
                {
                    ["method"] = r.Method, ["variant"] = r.Variant, ["dataset"] = r.Dataset, ["scenario"] = r.Scenario, ["split"] = r.Split.Name(), ["subset"] = r.Subset.Name(),
                    ["query"] = r.Query, ["gallery"] = r.Gallery, ["mean"] = r.Mean, ["std"] = r.StandardDeviation,
                    ["seeds"] = new JsonArray(r.Seeds.Select(s => (JsonNode)s).ToArray()),
                    ["chance"] = r.Chance, ["at_chance_runs"] = r.AtChance,
                }).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var tables = Tables(rows);
            if (parse.GetValue(markdown))
            {
                foreach (var warning in Mismatches(records)) output.WriteLine($"> warning: {warning}");
                foreach (var t in tables)
                {
                    output.WriteLine($"\n**{t.Title}**\n");
                    output.WriteLine("| " + string.Join(" | ", t.Header) + " |");
                    output.WriteLine("|" + string.Concat(t.Header.Select((_, i) => i < 3 ? "---|" : "---:|")));
                    foreach (var (cells, bold) in t.Rows)
                        output.WriteLine("| " + string.Join(" | ", cells.Select((c, i) => bold && i >= 2 && c.Length > 0 ? $"**{c}**" : c)) + " |");
                    if (t.Flagged) output.WriteLine($"\n{FlagFootnote}");
                }
                return 0;
            }
            var console = CliConsole.For(output);
            foreach (var warning in Mismatches(records)) console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
            foreach (var t in tables)
            {
                console.MarkupLine($"[bold]{Markup.Escape(t.Title)}[/]");
                var grid = new Table();
                foreach (var (h, i) in t.Header.Select((h, i) => (h, i)))
                    grid.AddColumn(i < 3 ? new TableColumn(Markup.Escape(h)) : new TableColumn(Markup.Escape(h)).RightAligned());
                foreach (var (cells, bold) in t.Rows)
                    grid.AddRow(cells.Select((c, i) => bold && i >= 2 ? $"[bold]{Markup.Escape(c)}[/]" : Markup.Escape(c)).ToArray());
                console.Write(grid);
                if (t.Flagged) console.MarkupLine($"[yellow]{Markup.Escape(FlagFootnote)}[/]");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The --split value that keeps every split.</summary>
    private const string EverySplit = "all";

    private sealed record SummaryTable(string Title, List<string> Header, List<(string[] Cells, bool Bold)> Rows)
    {
        /// <summary>Some cell counts runs whose figure is no result (<see cref="FlagFootnote"/>).</summary>
        public bool Flagged { get; set; }
    }

    /// <summary>What a cell's "(at chance …)" means, printed once under a table that has one.</summary>
    private const string FlagFootnote = "(at chance …): in those runs the mAP is not clearly above the chance level, or the ranking is degenerate (all scores tied) — model collapsed?";

    /// <summary>One table per dataset and scenario, a column per method and configuration: the layout of a paper's results table.</summary>
    private static List<SummaryTable> Tables(List<SummaryRow> rows)
    {
        var tables = new List<SummaryTable>();
        foreach (var table in rows.GroupBy(r => (r.Dataset, r.Scenario)))
        {
            var methods = table.Select(r => (r.Method, r.Variant)).Distinct().ToList();
            static string Name((string Method, string Variant) m) => m.Variant.Length == 0 ? m.Method : $"{m.Method} [{m.Variant}]";
            var title = $"{table.Key.Dataset}, {table.Key.Scenario} — mAP mean ± sample standard deviation (runs); seeds: " +
                        string.Join("; ", methods.Select(m => $"{Name(m)} {string.Join(", ", table.Where(r => (r.Method, r.Variant) == m).SelectMany(r => r.Seeds).Distinct())}"));
            // The chance level (a random ranking's expected mAP) beside the figures; it is the same for every method on the same data.
            var result = new SummaryTable(title, ["split", "subset", "query → gallery", "chance", .. methods.Select(Name)], []);
            foreach (var figure in table.GroupBy(r => (r.Split, r.Subset, r.Query, r.Gallery)))
            {
                bool average = figure.First().IsAverage;
                var chances = figure.Select(r => r.Chance).Distinct().ToList();
                var chance = chances is [{ } c] ? c.ToString("F4", CultureInfo.InvariantCulture) : ""; // unknown, or the methods saw other data
                var cells = new List<string> { figure.Key.Split.Name(), figure.Key.Subset.Name(), average ? "average (bi-modal)" : $"{figure.Key.Query} → {figure.Key.Gallery}", chance };
                cells.AddRange(methods.Select(m => figure.FirstOrDefault(r => (r.Method, r.Variant) == m) is { } r ? Cell(r) : ""));
                result.Flagged |= figure.Any(r => r.AtChance > 0);
                result.Rows.Add((cells.ToArray(), average));
            }
            tables.Add(result);
        }
        return tables;
    }

    /// <summary>"0.3605 ± 0.0012 (3)"; a single run shows its value alone; runs whose figure is no result are counted beside it.</summary>
    private static string Cell(SummaryRow r)
    {
        var value = r.StandardDeviation is { } sd
            ? string.Create(CultureInfo.InvariantCulture, $"{r.Mean:F4} ± {sd:F4} ({r.Seeds.Count})")
            : r.Mean.ToString("F4", CultureInfo.InvariantCulture);
        if (r.AtChance == 0) return value;
        return r.Seeds.Count == 1 ? $"{value} (at chance)" : $"{value} (at chance: {r.AtChance} of {r.Seeds.Count})";
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
            // Configurations are told apart as variants; data and code are not, hence these warnings.
            string Checksums(RunRecord r) => string.Join(";", r.DataChecksums.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
            if (group.Select(Checksums).Distinct().Count() > 1)
                yield return $"the {group.Key.Method} runs on {group.Key.Dataset} ({group.Key.Scenario}) read different data files (data_checksums differ)";
            if (group.Select(r => r.Version).Distinct().Count() > 1)
                yield return $"the {group.Key.Method} runs on {group.Key.Dataset} ({group.Key.Scenario}) come from different code versions: {string.Join(", ", group.Select(r => r.Version).Distinct())}";
        }
    }
}
