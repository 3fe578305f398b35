using CrossMedia.Core;
using CrossMedia.Index;

namespace CrossMedia.Tests.Index;

public class FlatIndexTests
{
    /// <summary>Small integer vectors: every dot product is exact in float32, so ties are real ties
    /// and the kernel (FMA, blocked) must agree with brute force exactly, ids included.</summary>
    private static Matrix IntegerMatrix(int rows, int cols, int seed, int range = 3)
    {
        var rng = new Random(seed);
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = rng.Next(-range, range + 1);
        return m;
    }

    /// <summary>Naive reference: score every (query, item), sort by score (desc; asc for L2) then id.</summary>
    private static (float[] Scores, long[] Ids) BruteForce(Matrix gallery, Matrix queries, int k, Metric metric, Func<int, bool>? allow = null)
    {
        var scores = new float[queries.Rows * k];
        var ids = new long[queries.Rows * k];
        Array.Fill(scores, float.NaN);
        Array.Fill(ids, -1L);
        for (int q = 0; q < queries.Rows; q++)
        {
            var cand = new List<(double Score, int Id)>();
            for (int g = 0; g < gallery.Rows; g++)
            {
                if (allow is not null && !allow(g)) continue;
                double s = 0;
                for (int d = 0; d < gallery.Cols; d++)
                {
                    double x = gallery[g, d], y = queries[q, d];
                    s += metric == Metric.L2 ? (x - y) * (x - y) : x * y;
                }
                cand.Add((s, g));
            }
            var sorted = metric == Metric.L2
                ? cand.OrderBy(c => c.Score).ThenBy(c => c.Id)
                : cand.OrderByDescending(c => c.Score).ThenBy(c => c.Id);
            int j = 0;
            foreach (var c in sorted.Take(k)) { scores[q * k + j] = (float)c.Score; ids[q * k + j] = c.Id; j++; }
        }
        return (scores, ids);
    }

    [Theory]
    [InlineData(Metric.InnerProduct, 16, 1)]
    [InlineData(Metric.InnerProduct, 32, 2)]
    [InlineData(Metric.InnerProduct, 0, 2)]
    [InlineData(Metric.L2, 16, 2)]
    [InlineData(Metric.L2, 48, 1)]
    public void Search_Should_MatchBruteForce_WithTies_AnyBlockSizeAndThreads(Metric metric, int blockRows, int threads)
    {
        // 203 rows: not a multiple of the panel (16) or of any block; 13 queries: not a multiple of the tile (6); d=7 odd.
        var gallery = IntegerMatrix(203, 7, seed: 1, range: 1);
        var queries = IntegerMatrix(13, 7, seed: 2, range: 1);
        using var index = new FlatIndex(7, metric) { BlockRows = blockRows, Threads = threads };
        index.Add(gallery);
        var (scores, ids) = index.Search(queries, 9);
        var (expectScores, expectIds) = BruteForce(gallery, queries, 9, metric);
        Assert.Equal(expectIds, ids);
        Assert.Equal(expectScores, scores);
    }

    [Theory]
    [InlineData(Metric.InnerProduct, 1)]
    [InlineData(Metric.InnerProduct, 5)]
    [InlineData(Metric.L2, 3)]
    public void Search_Should_MatchBruteForce_ForFewQueries(Metric metric, int queryCount)
    {
        // Fewer queries than a tile take the direct (unpacked) path; d=37 exercises its remainders.
        var gallery = IntegerMatrix(150, 37, seed: 8, range: 1);
        var queries = IntegerMatrix(queryCount, 37, seed: 9, range: 1);
        using var index = new FlatIndex(37, metric) { BlockRows = 32, Threads = 2 };
        index.Add(gallery);
        var (scores, ids) = index.Search(queries, 11);
        var (expectScores, expectIds) = BruteForce(gallery, queries, 11, metric);
        Assert.Equal(expectIds, ids);
        Assert.Equal(expectScores, scores);
    }

    [Fact]
    public void Search_Should_MatchBruteForce_ForCosine_OnRandomData()
    {
        var rng = new Random(5);
        var gallery = new Matrix(300, 24);
        var queries = new Matrix(8, 24);
        for (int i = 0; i < gallery.Data.Length; i++) gallery.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < queries.Data.Length; i++) queries.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        using var index = new FlatIndex(24, Metric.Cosine) { BlockRows = 32, Threads = 2 };
        index.Add(gallery);
        var (scores, ids) = index.Search(queries, 5);
        // Reference: cosine in double precision, computed independently.
        for (int q = 0; q < queries.Rows; q++)
        {
            var cos = Enumerable.Range(0, gallery.Rows).Select(g =>
            {
                double dot = 0, ng = 0, nq = 0;
                for (int d = 0; d < 24; d++) { dot += gallery[g, d] * queries[q, d]; ng += gallery[g, d] * gallery[g, d]; nq += queries[q, d] * queries[q, d]; }
                return (Score: dot / Math.Sqrt(ng * nq), Id: g);
            }).OrderByDescending(c => c.Score).Take(5).ToArray();
            for (int j = 0; j < 5; j++)
            {
                Assert.Equal(cos[j].Id, ids[q * 5 + j]);
                Assert.Equal(cos[j].Score, scores[q * 5 + j], 4);
            }
        }
    }

    [Theory]
    [InlineData(Metric.InnerProduct)]
    [InlineData(Metric.L2)]
    public void Search_Should_RefuseAFiniteQueryWhoseScoresWouldOverflow(Metric metric)
    {
        // 1e38 + 2e38 + 3e38 overflows float32 (and |q|² already does for L2): scores were ±infinity or NaN, and JSON output threw.
        using var index = new FlatIndex(3, metric) { BlockRows = 16 };
        index.Add(Matrix.FromRows([[1f, 2, 3], [-3f, 1, 0]]));
        var e = Assert.Throws<InputException>(() => index.Search(Matrix.FromRows([[0f, 0, 1], [1e38f, 1e38f, 1e38f]]), 2));
        Assert.Equal(("query", "row 1"), (e.Location, e.Field));
        Assert.Equal("norm 1.73E+38", e.Found);
        Assert.Contains("largest stored vector has norm 3.74", e.Expected);

        // Large but within bounds: finite scores, the same order as the small query.
        var (scores, ids) = index.Search(Matrix.FromRows([[0f, 0, 1e15f]]), 2);
        Assert.Equal([0L, 1L], ids);
        Assert.All(scores, s => Assert.True(float.IsFinite(s)));
    }

    [Fact]
    public void Search_Should_RankAHugeCosineQueryAsItsDirection()
    {
        // |q|² overflowed, the query normalised to zeros and every score was 0.
        using var index = new FlatIndex(3, Metric.Cosine) { BlockRows = 16 };
        index.Add(Matrix.FromRows([[1f, 0, 0], [1f, 1, 1], [0f, 0, 1]]));
        var (huge, hugeIds) = index.Search(Matrix.FromRows([[1e30f, 1e30f, 1e30f]]), 3);
        var (unit, unitIds) = index.Search(Matrix.FromRows([[1f, 1, 1]]), 3);
        Assert.Equal(unitIds, hugeIds);
        Assert.Equal(unit, huge);
        Assert.Equal(1f, huge[0], 5);
    }

    [Fact]
    public void Search_Should_PadWithMinusOne_WhenFewerThanK()
    {
        using var index = new FlatIndex(3, Metric.InnerProduct) { BlockRows = 16 };
        index.Add(Matrix.FromRows([[1f, 0, 0], [0, 1f, 0]]));
        var (scores, ids) = index.Search(Matrix.FromRows([[1f, 1, 1]]), 4);
        Assert.Equal([0L, 1L, -1L, -1L], ids);
        Assert.True(float.IsNaN(scores[2]) && float.IsNaN(scores[3]));
    }

    [Fact]
    public void Remove_Should_HideItems_AndFilter_Should_RestrictPositions()
    {
        var gallery = IntegerMatrix(100, 5, seed: 3);
        var queries = IntegerMatrix(4, 5, seed: 4);
        using var index = new FlatIndex(5, Metric.InnerProduct) { BlockRows = 16, Threads = 2 };
        index.Add(gallery);
        Assert.Equal(10, index.Remove(Enumerable.Range(0, 10).Select(i => (long)i * 3)));
        Func<int, bool> even = p => p % 2 == 0;
        var (scores, ids) = index.Search(queries, 7, even);
        var (es, ei) = BruteForce(gallery, queries, 7, Metric.InnerProduct, p => even(p) && !(p % 3 == 0 && p < 30));
        Assert.Equal(ei, ids);
        Assert.Equal(es, scores);
        Assert.Equal(90, index.Count);
    }

    [Fact]
    public void Add_Should_AssignAscendingIds_AcrossReset()
    {
        using var index = new FlatIndex(2, Metric.L2);
        Assert.Equal([0L, 1L], index.Add(Matrix.FromRows([[0f, 0], [1f, 1]])));
        index.Reset();
        Assert.Equal(0, index.Count);
        Assert.Equal([2L], index.Add(Matrix.FromRows([[3f, 4]])));
        var (scores, ids) = index.Search(Matrix.FromRows([[0f, 0]]), 1);
        Assert.Equal(2L, ids[0]);
        Assert.Equal(25f, scores[0]);
    }

    [Fact]
    public void Search_Should_RejectWrongDimension_AndNonFiniteQueries()
    {
        using var index = new FlatIndex(3, Metric.InnerProduct);
        index.Add(Matrix.FromRows([[1f, 0, 0]]));
        Assert.Throws<InputException>(() => index.Search(Matrix.FromRows([[1f, 0]]), 1));
        Assert.Throws<InputException>(() => index.Search(Matrix.FromRows([[float.NaN, 0, 0]]), 1));
        Assert.Throws<InputException>(() => index.Search(Matrix.FromRows([[1f, 0, 0]]), 0));
    }
}
