using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Data;
using CrossMedia.Evaluation;

namespace CrossMedia.Tests.Evaluation;

public sealed class RunSummaryTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("run-summary");

    public void Dispose() => _dir.Delete(true);

    private static RunRecord Run(string method, int seed, double i2t, double t2i, string checksum = "aa", double? unseenI2t = null, JsonObject? config = null,
        bool i2tAtChance = false) => new()
    {
        Method = method,
        Dataset = "wikipedia",
        Scenario = "zsl",
        Seed = seed,
        Config = config ?? new JsonObject { ["threads"] = seed, [method] = new JsonObject { ["seed"] = seed } }, // no variant: only seed and threads differ
        DataChecksums = new Dictionary<string, string> { ["raw_features.mat"] = checksum },
        Results =
        [
            new(Split.Test, Subset.Seen, "image", "text", i2t, Chance: 0.1, AtChance: i2tAtChance),
            new(Split.Test, Subset.Seen, "text", "image", t2i, Chance: 0.1),
            new(Split.Val, Subset.Seen, "image", "text", 0.9, Chance: 0.2),
            .. unseenI2t is { } u ? new ResultRow[] { new(Split.Test, Subset.Unseen, "image", "text", u) } : [],
        ],
    };

    [Fact]
    public void Summarize_Should_GiveMeanAndSampleStandardDeviation_PerGroupAndFigure()
    {
        var rows = RunSummary.Summarize([
            Run("jfse", 1, 0.30, 0.20, unseenI2t: 0.5),
            Run("jfse", 2, 0.34, 0.22),
            Run("jfse", 3, 0.35, 0.27, unseenI2t: 0.7),
            Run("cca", 1, 0.25, 0.21),
        ]);
        SummaryRow Row(string method, Split split, Subset subset, string query) =>
            rows.Single(r => r.Method == method && r.Split == split && r.Subset == subset && r.Query == query);

        // image → text: 0.30, 0.34, 0.35 → mean 0.33; deviations −.03, .01, .02 → s = √(0.0014 / 2).
        var i2t = Row("jfse", Split.Test, Subset.Seen, "image");
        Assert.Equal(0.33, i2t.Mean, 12);
        Assert.Equal(Math.Sqrt(0.0014 / 2), i2t.StandardDeviation!.Value, 12);
        Assert.Equal([1, 2, 3], i2t.Seeds);
        // The bi-modal average is taken per run (.25, .28, .31), then summarised: mean .28, s = .03.
        var average = Row("jfse", Split.Test, Subset.Seen, "average");
        Assert.Equal(0.28, average.Mean, 12);
        Assert.Equal(0.03, average.StandardDeviation!.Value, 12);
        // A figure some runs lack is summarised over the runs that have it.
        var unseen = Row("jfse", Split.Test, Subset.Unseen, "image");
        Assert.Equal(0.6, unseen.Mean, 12);
        Assert.Equal([1, 3], unseen.Seeds);
        // One run: no spread.
        Assert.Null(Row("cca", Split.Test, Subset.Seen, "image").StandardDeviation);
        Assert.Equal(0.25, Row("cca", Split.Test, Subset.Seen, "image").Mean, 12);
    }

    [Fact]
    public void Summarize_Should_NeverAverageRunsOfDifferentConfigurations_AndNameWhatSetsThemApart()
    {
        JsonObject Config(double lr, double? pair) => new()
        {
            ["jfse"] = new JsonObject { ["learning_rate"] = lr, ["weights"] = pair is { } p ? new JsonObject { ["pair"] = p } : new JsonObject() },
        };
        var rows = RunSummary.Summarize([
            Run("jfse", 1, 0.30, 0.20, config: Config(1e-3, 0)),
            Run("jfse", 2, 0.32, 0.20, config: Config(1e-3, 0)),
            Run("jfse", 1, 0.40, 0.20, config: Config(1e-3, 10)),
            Run("jfse", 1, 0.50, 0.20, config: Config(2e-3, null)),
            Run("cca", 1, 0.25, 0.21, config: new JsonObject { ["cca"] = new JsonObject { ["Regularisation"] = 0.1 } }),
            Run("cca", 2, 0.27, 0.21, config: new JsonObject { ["cca"] = new JsonObject { ["Regularisation"] = 0.01 } }),
        ]).Where(r => r.Split == Split.Test && r.Query == "image").ToList();
        Assert.Equal(
            ["learning_rate=0.001, weights.pair=0: 0.31 (2 runs)", "learning_rate=0.001, weights.pair=10: 0.4 (1 runs)", "learning_rate=0.002, weights.pair=–: 0.5 (1 runs)"],
            rows.Where(r => r.Method == "jfse").Select(r => $"{r.Variant}: {Math.Round(r.Mean, 6)} ({r.Seeds.Count} runs)"));
        // CCA's validation-chosen values are outcomes, not a configuration: its two seeds form one group.
        var cca = rows.Single(r => r.Method == "cca");
        Assert.Equal("", cca.Variant);
        Assert.Equal(0.26, cca.Mean, 12);
    }

    private string Save(RunRecord record, string name)
    {
        var dir = Path.Combine(_dir.FullName, name);
        Directory.CreateDirectory(dir);
        record.Save(Path.Combine(dir, "metrics.json"));
        return dir;
    }

    [Fact]
    public void ResultsCommand_Should_PrintTheSummaryAndWarnWhenRunsReadOtherData()
    {
        var a = Save(Run("jfse", 1, 0.30, 0.20), "a");
        var b = Save(Run("jfse", 2, 0.34, 0.22, checksum: "bb"), "b");

        var (code, output, err) = Cli.CliHarness.Run(["results", "--run", a, Path.Combine(b, "metrics.json"), "--json"]);
        Assert.True(code == 0, err);
        var rows = JsonNode.Parse(output)!.AsArray();
        Assert.Equal(3, rows.Count); // test only: image → text, text → image, average
        var i2t = rows.Single(r => (string)r!["query"]! == "image")!;
        Assert.Equal(0.32, (double)i2t["mean"]!, 12);
        Assert.Equal(Math.Sqrt(0.0008), (double)i2t["std"]!, 12);

        (code, output, err) = Cli.CliHarness.Run(["results", "--run", a, b, "--split", "all"]);
        Assert.True(code == 0, err);
        Assert.Contains("warning: the jfse runs on wikipedia (zsl) read different data files", output);
        Assert.Contains("wikipedia, zsl — mAP mean ± sample standard deviation (runs); seeds: jfse 1, 2", output);
        Assert.DoesNotContain("at chance", output); // no run flagged: no marks, no footnote
        // The chance level (a random ranking's expected mAP) beside every figure.
        Assert.Matches(@"test\s+│\s+seen\s+│\s+average \(bi-modal\)\s+│\s+0\.1000\s+│\s+0\.2650 ± 0\.0212 \(2\)", output);
        Assert.Matches(@"val\s+│\s+seen\s+│\s+image → text\s+│\s+0\.2000\s+│\s+0\.9000 ± 0\.0000 \(2\)", output);

        (code, output, err) = Cli.CliHarness.Run(["results", "--run", a, b, "--markdown"]);
        Assert.True(code == 0, err);
        Assert.Contains("> warning: the jfse runs on wikipedia (zsl) read different data files", output);
        Assert.Contains("| split | subset | query → gallery | chance | jfse |\n|---|---|---|---:|---:|\n", output.ReplaceLineEndings("\n"));
        Assert.Contains("| test | seen | **average (bi-modal)** | **0.1000** | **0.2650 ± 0.0212 (2)** |", output);

        (code, _, err) = Cli.CliHarness.Run(["results", "--run", Path.Combine(_dir.FullName, "missing")]);
        Assert.Equal(2, code);
        Assert.Contains("missing", err);
        Assert.Contains("metrics.json", err);
    }

    [Fact]
    public void Summary_Should_CarryTheChanceLevel_AndCountTheRunsAtChance()
    {
        var a = Save(Run("jfse", 1, 0.30, 0.20, i2tAtChance: true), "a");
        var b = Save(Run("jfse", 2, 0.34, 0.22), "b");
        var rows = RunSummary.Summarize([RunRecord.Load(Path.Combine(a, "metrics.json")), RunRecord.Load(Path.Combine(b, "metrics.json"))]);
        var i2t = rows.Single(r => r.Split == Split.Test && r.Query == "image");
        Assert.Equal(0.1, i2t.Chance!.Value, 12);
        Assert.Equal(1, i2t.AtChance);
        Assert.Equal(0, rows.Single(r => r.Split == Split.Test && r.Query == "text").AtChance);
        Assert.True(rows.Single(r => r.Split == Split.Test && r.IsAverage).Chance is 0.1);

        var (code, output, err) = Cli.CliHarness.Run(["results", "--run", a, b, "--markdown"]);
        Assert.True(code == 0, err);
        Assert.Contains("| test | seen | image → text | 0.1000 | 0.3200 ± 0.0283 (2) (at chance: 1 of 2) |", output);
        Assert.Contains("not clearly above the chance level", output);
        Assert.Contains("model collapsed?", output);
        (code, output, err) = Cli.CliHarness.Run(["results", "--run", a, b, "--json"]);
        Assert.True(code == 0, err);
        var json = JsonNode.Parse(output)!.AsArray().Single(r => (string)r!["query"]! == "image")!;
        Assert.Equal(1, (int)json["at_chance_runs"]!);
        Assert.Equal(0.1, (double)json["chance"]!, 12);
    }
}
