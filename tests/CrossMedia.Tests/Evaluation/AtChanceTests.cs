using CrossMedia.Cli;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using Spectre.Console;

namespace CrossMedia.Tests.Evaluation;

/// <summary>
/// A ranking no better than a random one (an untrained or collapsed model) is flagged "at chance" beside
/// its mAP, also when its scores are not tied; a real ranking, even a weak one, is not.
/// </summary>
public sealed class AtChanceTests
{
    private const int Classes = 10;

    private static int[] Labels(int n) => Enumerable.Range(0, n).Select(i => i % Classes).ToArray();

    /// <summary>Rows of Gaussian noise plus <paramref name="signal"/> on the row's class coordinate.</summary>
    private static Matrix Embeddings(int[] labels, double signal, int seed)
    {
        var random = new Random(seed);
        var m = new Matrix(labels.Length, 16);
        for (int i = 0; i < labels.Length; i++)
        {
            var row = m.Row(i);
            for (int j = 0; j < row.Length; j++)
                row[j] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            row[labels[i]] += (float)signal;
        }
        return m;
    }

    [Theory]
    [InlineData(20)]
    [InlineData(200)]
    [InlineData(2000)]
    public void RandomEmbeddings_Should_BeAtChance_WhateverTheNumberOfQueries(int queries)
    {
        var ql = Labels(queries);
        var gl = Labels(300);
        for (int seed = 1; seed <= 10; seed++)
        {
            var result = Retrieval.MeanAveragePrecision(Embeddings(ql, 0, seed), ql, Embeddings(gl, 0, 1000 + seed), gl);
            Assert.False(result.Degenerate); // nothing tied: only the chance test can catch it
            Assert.True(result.AtChance, $"seed {seed}: mAP {result.Map:F4}, chance {result.Chance:F4}");
            Assert.Equal(ResultRow.AtChanceNote, result.Note);
        }
    }

    [Fact]
    public void PerfectAndWeakButRealRankings_Should_NotBeAtChance()
    {
        var ql = Labels(200);
        var gl = Labels(300);
        var perfect = Retrieval.MeanAveragePrecision(Embeddings(ql, 100, 1), ql, Embeddings(gl, 100, 2), gl);
        Assert.Equal(1.0, perfect.Map, 6);
        Assert.False(perfect.AtChance);
        Assert.Null(perfect.Note);
        // A little signal in much noise: mAP only somewhat above the chance level (~.13), yet clearly a result.
        var weak = Retrieval.MeanAveragePrecision(Embeddings(ql, 1.5, 3), ql, Embeddings(gl, 1.5, 4), gl);
        Assert.InRange(weak.Map - weak.Chance, 0.02, 0.3);
        Assert.False(weak.AtChance, $"mAP {weak.Map:F4}, chance {weak.Chance:F4}");
        // Below chance is no result either.
        var inverted = Retrieval.MeanAveragePrecision(Embeddings(ql, -3, 5), ql, Embeddings(gl, 3, 6), gl);
        Assert.True(inverted.Map < inverted.Chance);
        Assert.True(inverted.AtChance);
    }

    [Fact]
    public void AtChance_Should_NeedTwoQueries_AndFlagRankingsThatEqualChanceEverywhere()
    {
        Assert.False(Retrieval.IsAtChance([0.1], [0.5]));
        Assert.True(Retrieval.IsAtChance([1, 1, 1], [1, 1, 1])); // every item relevant: any ranking scores 1
        Assert.False(Retrieval.IsAtChance([0.9, 0.95], [0.5, 0.5]));
        Assert.True(Retrieval.IsAtChance([0.7, 0.35], [0.5, 0.5])); // one above chance, one below: nothing learned
        // Without a chance level (top-K cut) nothing is flagged.
        var ql = Labels(50);
        Assert.False(Retrieval.MeanAveragePrecision(Embeddings(ql, 0, 1), ql, Embeddings(ql, 0, 2), ql, new RetrievalOptions(TopK: 5)).AtChance);
    }

    [Fact]
    public void ResultRowsAndTables_Should_ShowTheFlag()
    {
        var labels = Labels(100);
        var media = new[]
        {
            new EmbeddedMedium("image", Embeddings(labels, 0, 1), labels),
            new EmbeddedMedium("text", Embeddings(labels, 100, 2), labels),
            new EmbeddedMedium("audio", Embeddings(labels, 100, 3), labels),
        };
        var rows = ScenarioEvaluation.EvaluateEmbedded(media, Split.Test, Scenario.Standard, null, includeAll: true);
        // Every direction that involves the random image embeddings is at chance; text ↔ audio is perfect.
        foreach (var r in rows)
            Assert.True(r.AtChance == (r.Query == "image" || r.Gallery == "image"), $"{r.Query} → {r.Gallery}: {r.Map:F4} vs {r.Chance:F4}");
        Assert.False(rows.Single(r => r.Query == "text" && r.ToAllMedia).AtChance); // two thirds of the gallery rank perfectly

        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        ResultsTable.Write(console, rows, "random image");
        var output = text.ToString();
        Assert.Contains($"{rows.Single(r => r is { Query: "image", Gallery: "text" }).Map:F4} ({ResultRow.AtChanceNote})", output);
        Assert.Contains("test, all", output);
        Assert.DoesNotContain($"{rows.Single(r => r is { Query: "text", Gallery: "audio" }).Map:F4} (", output);
    }
}
