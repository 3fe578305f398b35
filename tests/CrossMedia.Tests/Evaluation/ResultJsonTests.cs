using System.Text.Json.Nodes;
using CrossMedia.Data;
using CrossMedia.Evaluation;

namespace CrossMedia.Tests.Evaluation;

/// <summary>
/// metrics.json spells split, subset and gallery as words ("test", "unseen", "all"); the typed rows
/// (<see cref="Split"/>, <see cref="Subset"/>, <see cref="ResultRow.ToAllMedia"/>) must read the files
/// written before them and write the same bytes back.
/// </summary>
public sealed class ResultJsonTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("result-json");

    public void Dispose() => _dir.Delete(true);

    /// <summary>A metrics.json as the string-typed rows wrote it (every split, subset and an X→All row; an old row without a chance level).</summary>
    private const string Written = """
        {
          "method": "jfse",
          "dataset": "wikipedia",
          "scenario": "zsl",
          "seed": 1,
          "config": {
            "method": "jfse",
            "media": [
              "image",
              "text"
            ]
          },
          "data_checksums": {
            "wikipedia/raw_features.mat": "ca628f765a69575e168ab29eb97f5ade12fadf47b31de1328c7ff631c7f225ae"
          },
          "version": "0.1.0\u002B70275e6fba9cc582191150b607f20042ff475296",
          "started_utc": "2026-11-30T18:20:09.7362321Z",
          "seconds": 3.5996471,
          "results": [
            {
              "split": "val",
              "subset": "seen",
              "query": "image",
              "gallery": "text",
              "map": 0.2657459626467961,
              "queries": 119,
              "queries_without_relevant": 0,
              "chance": 0.24770720112254474,
              "degenerate": false
            },
            {
              "split": "test",
              "subset": "unseen",
              "query": "text",
              "gallery": "all",
              "map": 0.21912396432978157,
              "queries": 317,
              "queries_without_relevant": 2,
              "chance": 0.2344610345098045,
              "degenerate": true
            },
            {
              "split": "test",
              "subset": "all",
              "query": "image",
              "gallery": "text",
              "map": 0.5,
              "queries": 0,
              "queries_without_relevant": 0,
              "chance": null,
              "degenerate": false
            },
            {
              "split": "test",
              "subset": "gzsl",
              "query": "text",
              "gallery": "image",
              "map": 0.25,
              "queries": 10,
              "queries_without_relevant": 0,
              "chance": 0.125,
              "degenerate": false
            }
          ],
          "notes": {
            "selected_epoch": 2,
            "test_unseen_average_x_all": null
          }
        }
        """;

    [Fact]
    public void MetricsJson_Should_LoadIntoTypedRows_AndSaveTheSameBytes()
    {
        var file = Path.Combine(_dir.FullName, "metrics.json");
        File.WriteAllText(file, Written);
        var record = RunRecord.Load(file);

        Assert.Equal([Split.Val, Split.Test, Split.Test, Split.Test], record.Results.Select(r => r.Split));
        Assert.Equal([Subset.Seen, Subset.Unseen, Subset.All, Subset.Gzsl], record.Results.Select(r => r.Subset));
        Assert.Equal([false, true, false, false], record.Results.Select(r => r.ToAllMedia));
        Assert.All(record.Results, r => Assert.False(r.AtChance));

        var again = Path.Combine(_dir.FullName, "again.json");
        record.Save(again);
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(again));
    }

    [Fact]
    public void AtChance_Should_BeWrittenOnlyWhenTrue_AndReadBack()
    {
        var row = new ResultRow(Split.Test, Subset.Unseen, "image", "text", 0.2, 10, 0, 0.2);
        var record = new RunRecord
        {
            Method = "cca", Dataset = "d", Scenario = "zsl", Seed = 1, Config = [], DataChecksums = new Dictionary<string, string>(),
            Results = [row, row with { AtChance = true }],
        };
        var file = Path.Combine(_dir.FullName, "metrics.json");
        record.Save(file);
        var rows = JsonNode.Parse(File.ReadAllText(file))!["results"]!.AsArray();
        Assert.False(rows[0]!.AsObject().ContainsKey("at_chance"));
        Assert.True((bool)rows[1]!["at_chance"]!);
        Assert.Equal("test", (string)rows[1]!["split"]!);
        Assert.Equal("unseen", (string)rows[1]!["subset"]!);
        Assert.Equal([false, true], RunRecord.Load(file).Results.Select(r => r.AtChance));
    }

    [Theory]
    [InlineData("\"split\": \"val\"", "\"split\": 1")]
    [InlineData("\"subset\": \"seen\"", "\"subset\": \"sometimes\"")]
    public void Load_Should_RefuseASplitOrSubsetItDoesNotKnow_NamingTheField(string good, string bad)
    {
        var file = Path.Combine(_dir.FullName, "metrics.json");
        File.WriteAllText(file, Written.Replace(good, bad));
        var e = Assert.Throws<InputException>(() => RunRecord.Load(file));
        Assert.Contains("results[0]", e.Message);
    }

    [Fact]
    public void EnumNames_Should_BeTheWordsMetricsJsonUses()
    {
        Assert.Equal(["all", "seen", "unseen", "gzsl"], Enum.GetValues<Subset>().Select(s => s.Name()));
        Assert.Equal(["all", "seen", "unseen", "gzsl"], Enum.GetValues<Subset>().Select(s => System.Text.Json.JsonSerializer.Serialize(s).Trim('"')));
        Assert.Equal([Subset.All, Subset.Unseen, Subset.Gzsl], new[] { Scenario.Standard, Scenario.Zsl, Scenario.Gzsl }.Select(SubsetNames.Headline));
    }
}
