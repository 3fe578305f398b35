using System.Text.Json.Nodes;
using CrossMedia.Data;
using CrossMedia.Evaluation;

namespace CrossMedia.Tests.Cli;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("train-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void TrainCca_Should_WriteMetricsJsonWithEveryRequiredField()
    {
        var before = DateTime.UtcNow;
        var (code, output, error) = CliHarness.Run("train", "--method", "cca", "--dataset", "synthetic", "--out", _dir, "--seed", "7");
        var after = DateTime.UtcNow;
        Assert.True(code == 0, error);
        Assert.Contains("image → text", output);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "metrics.json")))!;
        Assert.Equal("cca", (string?)json["method"]);
        Assert.Equal("synthetic", (string?)json["dataset"]);
        Assert.Equal("standard", (string?)json["scenario"]);
        Assert.Equal(7, (int)json["seed"]!);
        Assert.NotNull(json["config"]!["cca"]);
        Assert.Equal("l2", (string?)json["config"]!["cca"]!["Input"]);
        // The edge warnings are a field of every CCA record, empty when every choice is interior.
        Assert.IsType<JsonArray>(json["notes"]!["cca_warnings"]);
        Assert.False(string.IsNullOrEmpty((string?)json["version"]));
        Assert.NotNull(json["data_checksums"]);
        // started_utc is when the run began: started + seconds cannot lie after the command returned
        // (it did when the record's creation time, at the end of training, was written).
        var record = RunRecord.Load(Path.Combine(_dir, "metrics.json"));
        Assert.InRange(record.StartedUtc, before, after);
        Assert.True(record.Seconds > 0.01, $"seconds {record.Seconds}");
        Assert.True(record.StartedUtc.AddSeconds(record.Seconds) <= after.AddMilliseconds(5),
            $"started {record.StartedUtc:O} + {record.Seconds} s is after {after:O}");
        var results = record.Results;
        Assert.Contains(results, r => r is { Split: Split.Val, Subset: Subset.All, Query: "image", Gallery: "text" });
        var test = results.Where(r => r.Split == Split.Test).ToList();
        Assert.Equal(2, test.Count);
        // Synthetic classes are learnable: far above chance (10 classes → about 0.1).
        Assert.All(test, r => Assert.InRange(r.Map, 0.5, 1.0));
        Assert.True(File.Exists(Path.Combine(_dir, "model.json")));
    }

    [Fact]
    public void TrainCca_Should_PrintAndRecordAWarning_WhenTheChosenRidgeIsAnEdgeOfItsGrid()
    {
        // Four shared directions among noise, unweighted and at full rank: validation keeps rising
        // towards PLS, so the heaviest ridge of the grid wins.
        var planted = CrossMedia.Tests.Training.CcaTrainerTests.Planted(1, 12, 40, 20, 4, 12, 1);
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        var rows = Enumerable.Range(0, planted.Media[0].Count).ToList();
        var val = rows.Where(i => planted.Media[0].Splits[i] == CrossMedia.Data.Split.Val).ToList();
        var all = rows.Concat(val).ToList(); // the validation items again as test items
        var split = rows.Select(i => planted.Media[0].Splits[i] == CrossMedia.Data.Split.Val ? "val" : "train").Concat(val.Select(_ => "test"));
        File.WriteAllLines(Path.Combine(data, "split.txt"), split);
        CrossMedia.Data.Formats.NpyFile.Write(Path.Combine(data, "labels.npy"), all.Select(i => planted.Media[0].Labels[i]).ToArray());
        foreach (var m in planted.Media) CrossMedia.Data.Formats.NpyFile.Write(Path.Combine(data, $"{m.Name}.npy"), m.Features!.SelectRows(all));
        File.WriteAllText(Path.Combine(data, "manifest.json"), $$"""
            { "name": "planted", "classes": [{{string.Join(", ", planted.ClassNames.Select(c => $"\"{c}\""))}}], "paired": true,
              "media": {
                "a": { "features": "a.npy", "labels": "labels.npy", "split": "split.txt" },
                "b": { "features": "b.npy", "labels": "labels.npy", "split": "split.txt" } } }
            """);
        var outDir = Path.Combine(_dir, "run");
        var (code, output, error) = CliHarness.Run("train", "--method", "cca", "--dataset", Path.Combine(data, "manifest.json"),
            "--cca-power", "0", "--cca-dim", "0", "--cca-input", "none", "--out", outDir);
        Assert.True(code == 0, error);
        Assert.Contains("warning: cca: the chosen regularisation 1e+04 is the top edge of its validation grid", output);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")))!;
        Assert.Contains("top edge", (string?)Assert.Single(json["notes"]!["cca_warnings"]!.AsArray()));
    }

    [Fact]
    public void TrainCca_Runs_Should_FormSeparateResultGroups_WhenTheirRequestedSettingsDiffer()
    {
        string Run(string name, params string[] options)
        {
            var dir = Path.Combine(_dir, name);
            var (code, _, error) = CliHarness.Run(["train", "--method", "cca", "--dataset", "synthetic", "--out", dir, .. options]);
            Assert.True(code == 0, error);
            return Path.Combine(dir, "metrics.json");
        }
        var records = new[] { Run("l2"), Run("none", "--cca-input", "none"), Run("plain", "--cca-input", "none", "--cca-reg", "0", "--cca-power", "0", "--cca-dim", "0") }
            .Select(RunRecord.Load);
        var variants = RunSummary.Summarize(records).Select(r => r.Variant).Distinct().ToList();
        Assert.Equal(3, variants.Count);
        Assert.Contains(variants, v => v.Contains("cca_search.input=none") && v.Contains("cca_search.regularisation=0"));
    }

    private const string ThreeMedia = "synthetic:media=a+b+c,dims=16+12+8,classes=5,train=20,test=10";

    [Fact]
    public void TrainCca_Should_CoupleEveryMedium_AndReportEveryDirectionAndXAll_WithThreeMedia()
    {
        var (code, output, error) = CliHarness.Run("train", "--method", "cca", "--dataset", ThreeMedia, "--out", _dir);
        Assert.True(code == 0, error);
        Assert.Contains("c → all", output);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "metrics.json")))!;
        Assert.Equal(["a", "b", "c"], json["config"]!["media"]!.AsArray().Select(n => (string?)n));
        Assert.Empty(json["notes"]!["media_warnings"]!.AsArray());
        var test = RunRecord.Load(Path.Combine(_dir, "metrics.json")).Results.Where(r => r.Split == Split.Test).ToList();
        // Six directions between two media, and X→All on by default with more than two media.
        Assert.Equal(9, test.Count);
        Assert.Equal(["a", "b", "c"], test.Where(r => r.ToAllMedia).Select(r => r.Query).Order());
    }

    [Fact]
    public void Train_Should_WarnAndRecord_ForAMediumLeftOut_AndListOnlyTheMediaUsed()
    {
        var (code, output, error) = CliHarness.Run("train", "--method", "cca", "--dataset", ThreeMedia, "--media", "a,c", "--out", _dir);
        Assert.True(code == 0, error);
        const string Warning = "medium 'b' of the dataset left out by the media selection; cca trains on a, c";
        Assert.Contains($"warning: {Warning}", output);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "metrics.json")))!;
        Assert.Equal(Warning, (string?)Assert.Single(json["notes"]!["media_warnings"]!.AsArray()));
        Assert.Equal(["a", "c"], json["config"]!["media"]!.AsArray().Select(n => (string?)n));
        Assert.DoesNotContain(RunRecord.Load(Path.Combine(_dir, "metrics.json")).Results, r => r.ToAllMedia); // two media: X→All off by default
    }

    [Fact]
    public void TrainCca_Should_RefuseTheRemovedCcaMediaOption_NamingMedia()
    {
        var (code, _, error) = CliHarness.Run("train", "--method", "cca", "--dataset", ThreeMedia, "--cca-media", "a,b", "--out", _dir);
        Assert.Equal(2, code);
        Assert.StartsWith("error: --cca-media: expected --media a,b,...", error);
        Assert.False(File.Exists(Path.Combine(_dir, "metrics.json")));
    }

    [Fact]
    public void TrainCca_Zsl_Should_ReportSeenAndUnseenTestResults_AndSeenOnlyValidation()
    {
        var (code, _, error) = CliHarness.Run("train", "--method", "cca", "--dataset", "synthetic", "--scenario", "zsl", "--out", _dir);
        Assert.True(code == 0, error);
        var results = RunRecord.Load(Path.Combine(_dir, "metrics.json")).Results;
        Assert.Equal([Subset.Seen, Subset.Unseen], results.Where(r => r.Split == Split.Test).Select(r => r.Subset).Distinct().Order());
        Assert.All(results.Where(r => r.Split == Split.Val), r => Assert.Equal(Subset.Seen, r.Subset));
    }

    [Fact]
    public void Train_Should_RejectUnknownUnseenClass_WithOneLine()
    {
        var (code, _, error) = CliHarness.Run("train", "--method", "cca", "--dataset", "synthetic", "--scenario", "zsl", "--unseen", "nosuchclass", "--out", _dir);
        Assert.Equal(2, code);
        Assert.StartsWith("error: --unseen: nosuchclass: expected a class index", error);
        Assert.DoesNotContain(" at ", error);
    }

    [Fact]
    public void Embed_Should_WriteEmbeddingsWhoseMapEqualsTheTrainRunsTestMap()
    {
        Assert.Equal(0, CliHarness.Run("train", "--method", "cca", "--dataset", "synthetic", "--out", _dir).Code);
        foreach (var medium in new[] { "image", "text" })
        {
            var (code, _, error) = CliHarness.Run("embed", "--model", _dir, "--dataset", "synthetic", "--split", "test",
                "--medium", medium, "--out", Path.Combine(_dir, $"{medium}.npy"));
            Assert.True(code == 0, error);
        }
        var (mapCode, json, mapError) = CliHarness.Run("map", "--query", Path.Combine(_dir, "image.npy"), "--query-labels", Path.Combine(_dir, "image.labels.npy"),
            "--gallery", Path.Combine(_dir, "text.npy"), "--gallery-labels", Path.Combine(_dir, "text.labels.npy"), "--json");
        Assert.True(mapCode == 0, mapError);
        var expected = RunRecord.Load(Path.Combine(_dir, "metrics.json")).Results
            .Single(r => r is { Split: Split.Test, Query: "image", Gallery: "text" }).Map;
        Assert.Equal(expected, (double)JsonNode.Parse(json)!["map"]!, 9);
    }

    [Fact]
    public void Embed_Should_RejectAMediumTheModelDoesNotKnow()
    {
        Assert.Equal(0, CliHarness.Run("train", "--method", "cca", "--dataset", "synthetic", "--out", _dir).Code);
        var (code, _, error) = CliHarness.Run("embed", "--model", _dir, "--dataset", "synthetic", "--medium", "audio", "--out", Path.Combine(_dir, "a.npy"));
        Assert.Equal(2, code);
        Assert.Contains("--medium: expected a medium the model knows", error);
    }
}
