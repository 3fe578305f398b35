using CrossMedia.Cli;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Training;
using Spectre.Console;

namespace CrossMedia.Tests.Evaluation;

/// <summary>
/// A model whose embeddings are all the same vector ranks every gallery in its stored order; on a
/// class-sorted gallery that scored .4071 in every FGCrossNet direction, above the .3715 of a random
/// ranking and above the real but weak epochs, so selection picked it. Such a ranking is flagged,
/// shown beside the chance level, and not selected when an epoch with a real ranking exists.
/// </summary>
public sealed class DegenerateRankingTests
{
    private static readonly int[] TwoPerClass = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4];

    [Fact]
    public void ChanceAveragePrecision_Should_EqualHandComputedAndEnumeratedExpectations()
    {
        // N = 3, R = 1: the relevant item at rank 1, 2 or 3: (1 + 1/2 + 1/3)/3.
        Assert.Equal(11.0 / 18, Retrieval.ChanceAveragePrecision(1, 3), 12);
        // N = 3, R = 2: ranks {1,2} AP 1, {1,3} AP 5/6, {2,3} AP 7/12.
        Assert.Equal((1 + 5.0 / 6 + 7.0 / 12) / 3, Retrieval.ChanceAveragePrecision(2, 3), 12);
        Assert.Equal(1.0, Retrieval.ChanceAveragePrecision(1, 1), 12);
        Assert.Equal(1.0, Retrieval.ChanceAveragePrecision(4, 4), 12);
        Assert.Equal(0.0, Retrieval.ChanceAveragePrecision(0, 5));
        // Every placement of R relevant among N = 7, averaged.
        const int n = 7;
        for (int r = 1; r <= n; r++)
        {
            var aps = Subsets(n, r).Select(ranks => Retrieval.AveragePrecision(ranks)).ToList();
            Assert.Equal(aps.Average(), Retrieval.ChanceAveragePrecision(r, n), 12);
        }
    }

    [Fact]
    public void Evaluation_Should_FlagATiedRankingAndShowTheChanceLevel()
    {
        // Every item embeds as [0, 0, 0, 0, 1] (what the collapsed FGCrossNet exported).
        var tied = Constant(10);
        var media = new[] { new EmbeddedMedium("image", tied, TwoPerClass), new EmbeddedMedium("text", Constant(10), TwoPerClass) };
        var rows = ScenarioEvaluation.EvaluateEmbedded(media, Split.Val, Scenario.Standard, null, includeAll: true);

        double chance = (Harmonic(10) + (10 - Harmonic(10)) / 9) / 10; // R = 2 of N = 10
        double chanceAll = (Harmonic(19) + (19 - Harmonic(19)) * 2 / 18) / 19; // X→All without the query: R = 3 of N = 19
        Assert.Equal(4, rows.Count);
        foreach (var row in rows)
        {
            Assert.True(row.Degenerate, $"{row.Query} → {row.Gallery}");
            Assert.Equal(row.ToAllMedia ? chanceAll : chance, row.Chance!.Value, 12);
        }
        Assert.Equal(0.4071, rows[0].Map, 4); // the gallery's own order, above chance
        Assert.True(rows[0].Map > chance);

        // A real ranking is not flagged; nor when only the gallery or only the queries differ is it tied; the queries alike are.
        var distinct = OneHot(TwoPerClass);
        Assert.False(Retrieval.MeanAveragePrecision(distinct, TwoPerClass, distinct, TwoPerClass).Degenerate);
        Assert.True(Retrieval.MeanAveragePrecision(tied, TwoPerClass, distinct, TwoPerClass).Degenerate);
        Assert.True(Retrieval.MeanAveragePrecision(distinct, TwoPerClass, tied, TwoPerClass).Degenerate);
        // float32 noise far below the values still counts as the same vector.
        var noisy = Constant(10);
        noisy.Row(3)[4] -= 1e-8f;
        Assert.True(Retrieval.IsDegenerate(distinct, noisy));

        // The table marks the rows and shows the chance column.
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        ResultsTable.Write(console, rows, "tied");
        var output = text.ToString();
        Assert.Contains("chance", output);
        Assert.Contains($"0.4071 ({ResultRow.DegenerateNote})", output);
        Assert.Contains(chance.ToString("F4"), output);
    }

    [Fact]
    public void Selection_Should_SkipADegenerateEpoch_When_ARealRankingExists()
    {
        // The synthetic-media run's validation history: epoch 2 was the tied ranking.
        (double Map, bool Degenerate)[] history = [(0.3898, false), (0.4071, true), (0.3892, false), (0.3829, false), (0.3889, false)];
        Assert.Equal(1, Select(history));
        // Tied first, real later: the real one, even lower.
        Assert.Equal(2, Select([(0.4071, true), (0.30, false), (0.29, false)]));
        // Nothing real: the best of the degenerate ones (there must be a selection); among real ones the best mAP.
        Assert.Equal(2, Select([(0.40, true), (0.41, true)]));
        Assert.Equal(3, Select([(0.50, false), (0.40, true), (0.55, false), (0.52, false)]));
    }

    private static int Select((double Map, bool Degenerate)[] history)
    {
        (double, bool)? selected = null;
        int epoch = 0;
        for (int e = 0; e < history.Length; e++)
            if (EpochSelection.Replaces(history[e].Map, history[e].Degenerate, selected)) (selected, epoch) = ((history[e].Map, history[e].Degenerate), e + 1);
        return epoch;
    }

    private static Matrix Constant(int rows)
    {
        var m = new Matrix(rows, 5);
        for (int i = 0; i < rows; i++) m.Row(i)[4] = 1;
        return m;
    }

    private static Matrix OneHot(int[] labels)
    {
        var m = new Matrix(labels.Length, 5);
        for (int i = 0; i < labels.Length; i++) m.Row(i)[labels[i]] = 1;
        return m;
    }

    private static double Harmonic(int n) => Enumerable.Range(1, n).Sum(k => 1.0 / k);

    /// <summary>Every ascending set of <paramref name="r"/> ranks out of 1..<paramref name="n"/>.</summary>
    private static IEnumerable<int[]> Subsets(int n, int r)
    {
        for (int mask = 0; mask < 1 << n; mask++)
            if (System.Numerics.BitOperations.PopCount((uint)mask) == r)
                yield return Enumerable.Range(1, n).Where(k => (mask & 1 << (k - 1)) != 0).ToArray();
    }
}
