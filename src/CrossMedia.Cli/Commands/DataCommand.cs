using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CrossMedia.Data;
using Spectre.Console;

namespace CrossMedia.Cli.Commands;

/// <summary>`crossmedia data inspect`: what a dataset holds and what is wrong with it.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Work with datasets (built-ins and manifests).");
        command.Subcommands.Add(CreateInspect());
        return command;
    }

    private static Command CreateInspect()
    {
        var options = new DatasetOptions(description: "Dataset to inspect");
        var seed = SharedOptions.Seed("Seed of the dataset (generated built-ins and their splits) and of the validation split carved from the training items.");
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON instead of tables." };
        var command = new Command("inspect", "Show a dataset's media (features or files, dimension, items per split), classes with counts per split, class embeddings and problems found " +
            "(errors: unreadable or inconsistent data; warnings: classes or media without train or test items, class-name words without vectors).");
        options.AddTo(command);
        command.Options.Add(seed);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var result = options.ResolveDetailed(parse, parse.GetValue(seed), throwOnErrors: false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(Json(result));
            else Render(result, CliConsole.For(output));
            // Shown in full above; the exit code and one error line still say the dataset is unusable.
            if (result.Problems.FirstOrDefault(p => p.Severity == ProblemSeverity.Error) is { } error)
            {
                CliRunner.WriteError(parse.InvocationConfiguration.Error, $"{result.Source}: {error.Where}: {error.Message}");
                return CliRunner.UserError;
            }
            return 0;
        });
        return command;
    }

    private static readonly Split[] AllSplits = [Split.Train, Split.Val, Split.Test];

    private static void Render(DatasetLoadResult result, IAnsiConsole console)
    {
        var d = result.Dataset;
        console.MarkupLine($"[bold]{Markup.Escape(d.Name)}[/] ({Markup.Escape(result.Source)}): {d.Media.Count} media, {d.ClassCount} classes, {(d.Paired ? "paired" : "unpaired")}");

        var media = new Table().AddColumns("medium", "kind", "dimension", "train", "val", "test", "total");
        foreach (var m in d.Media)
            media.AddRow(Markup.Escape(m.Name), m.Features is null ? "files" : "features", m.Features is null ? "-" : m.Dimension.ToString(CultureInfo.InvariantCulture),
                Count(m, Split.Train), Count(m, Split.Val), Count(m, Split.Test), m.Count.ToString(CultureInfo.InvariantCulture));
        console.Write(media);

        var classes = new Table().AddColumn("class");
        foreach (var m in d.Media)
            foreach (var s in AllSplits) classes.AddColumn($"{Markup.Escape(m.Name)} {s.Name()}");
        var counts = d.Media.Select(m => AllSplits.Select(s => DatasetValidator.Counts(m, s, d.ClassCount)).ToArray()).ToArray();
        for (int c = 0; c < d.ClassCount; c++)
        {
            var row = new List<string> { $"{c} {Markup.Escape(d.ClassNames[c])}" };
            foreach (var perSplit in counts) row.AddRange(perSplit.Select(x => x[c] == 0 ? "[yellow]0[/]" : x[c].ToString(CultureInfo.InvariantCulture)));
            classes.AddRow(row.ToArray());
        }
        console.Write(classes);

        console.MarkupLine(d.ClassEmbeddings is { } e
            ? $"class embeddings: {e.Cols}-d from {Markup.Escape(result.ClassEmbeddingSource ?? "?")}" +
              (result.MissingWords.Count > 0 ? $"; missing words: {Markup.Escape(string.Join(", ", result.MissingWords))}" : "; no missing words")
            : "class embeddings: none");
        if (d.Checksums.Count > 0)
            console.MarkupLine($"files: {Markup.Escape(string.Join(", ", d.Checksums.Select(kv => $"{kv.Key} ({kv.Value[..12]})")))}");
        if (result.Problems.Count == 0) console.MarkupLine("problems: none");
        else
        {
            console.MarkupLine("problems:");
            foreach (var p in result.Problems)
                console.MarkupLine($"  {(p.Severity == ProblemSeverity.Error ? "[red]error[/]" : "[yellow]warning[/]")}: {Markup.Escape(p.Where)}: {Markup.Escape(p.Message)}");
        }
    }

    private static string Count(Medium m, Split s) => m.Splits.Count(x => x == s).ToString(CultureInfo.InvariantCulture);

    private static string Json(DatasetLoadResult result)
    {
        var d = result.Dataset;
        var summary = new
        {
            name = d.Name,
            source = result.Source,
            paired = d.Paired,
            media = d.Media.Select(m => new
            {
                name = m.Name,
                kind = m.Features is null ? "files" : "features",
                dimension = m.Dimension,
                counts = AllSplits.ToDictionary(s => s.Name(), s => m.Splits.Count(x => x == s)),
                class_counts = AllSplits.ToDictionary(s => s.Name(), s => DatasetValidator.Counts(m, s, d.ClassCount)),
            }),
            classes = d.ClassNames,
            class_embeddings = d.ClassEmbeddings is null ? null : new { dimension = d.ClassEmbeddings.Cols, source = result.ClassEmbeddingSource, missing_words = result.MissingWords },
            checksums = d.Checksums,
            problems = result.Problems.Select(p => new { severity = p.Severity.ToString().ToLowerInvariant(), kind = p.Kind.ToString(), where = p.Where, message = p.Message }),
        };
        return JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true });
    }
}
