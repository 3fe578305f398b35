using CrossMedia.Core;
using CrossMedia.Evaluation;

namespace CrossMedia.Tests.Evaluation;

public class RetrievalTests
{
    private static readonly float[] PlusMinusOne = [-1f, 1f];
    private static readonly float[] SmallIntegers = [-2f, -1f, 0f, 1f, 2f];

    [Fact]
    public void MeanAveragePrecision_Should_MatchHandComputedTinyExample()
    {
        // Inner product, 1-D: query [1] ranks the gallery by its value, descending.
        // gallery values 5, 4, 4, 2, 1 with labels A, B, A, B, A (A=0, B=1); g1 and g2 tie → index order g1, g2.
        // Query label A: relevant at ranks 1, 3, 5 → AP = (1/1 + 2/3 + 3/5) / 3 = 2.26667 / 3 = 0.755556
        // Query label B: relevant at ranks 2, 4    → AP = (1/2 + 2/4) / 2 = 0.5
        // Query label C: no relevant item          → AP = 0 (counted)
        // mAP = (0.755556 + 0.5 + 0) / 3 = 0.418519
        // mAP@2: A: top2 = g0(A), g1(B) → (1/1)/1 = 1; B: g1 at rank 2 → (1/2)/1 = 0.5; C: 0 → 1.5/3 = 0.5
        var queries = new Matrix([1f, 1f, 1f], 3, 1);
        var gallery = new Matrix([5f, 4f, 4f, 2f, 1f], 5, 1);
        int[] ql = [0, 1, 2], gl = [0, 1, 0, 1, 0];
        var ip = new RetrievalOptions(Metric.InnerProduct);
        var r = Retrieval.MeanAveragePrecision(queries, ql, gallery, gl, ip);
        Assert.Equal((1 + 2 / 3.0 + 3 / 5.0) / 3, r.AveragePrecisions[0], 12);
        Assert.Equal(0.5, r.AveragePrecisions[1], 12);
        Assert.Equal(0, r.AveragePrecisions[2]);
        Assert.Equal(0.418519, r.Map, 6);
        Assert.Equal(3, r.Queries);
        Assert.Equal(1, r.QueriesWithoutRelevant);
        Assert.Equal(0.5, Retrieval.MeanAveragePrecision(queries, ql, gallery, gl, ip with { TopK = 2 }).Map, 12);
    }

    public static TheoryData<Metric, int, int> MetricsAndBlocks() => new()
    {
        { Metric.Cosine, 0, 0 }, { Metric.Cosine, 1, 2 }, { Metric.Cosine, 7, 1 },
        { Metric.L2, 0, 0 }, { Metric.L2, 3, 2 },
        { Metric.InnerProduct, 0, 0 }, { Metric.InnerProduct, 5, 2 },
    };

    [Theory]
    [MemberData(nameof(MetricsAndBlocks))]
    public void MeanAveragePrecision_Should_MatchBruteForce_WithManyTies(Metric metric, int blockSize, int threads)
    {
        var rng = new Random(11 + (int)metric);
        // Cosine needs ±1 entries in 16-d to stay exact; the others use small integers.
        var values = metric == Metric.Cosine ? PlusMinusOne : SmallIntegers;
        int dim = metric == Metric.Cosine ? 16 : 6;
        var queries = TestData.Quantised(rng, 37, dim, 9, values);
        var gallery = TestData.Quantised(rng, 83, dim, 9, values);
        // Labels 0..6 in queries but only 0..4 in the gallery: some queries have no relevant item.
        var ql = TestData.Labels(rng, 37, 7);
        var gl = TestData.Labels(rng, 83, 5);
        var options = new RetrievalOptions(metric, BlockSize: blockSize, Threads: threads);
        var result = Retrieval.MeanAveragePrecision(queries, ql, gallery, gl, options);

        var expected = NaiveRetrieval.AveragePrecisions(queries, NaiveRetrieval.Sets(ql), gallery, NaiveRetrieval.Sets(gl), metric);
        Assert.Equal(expected.Average(), result.Map, 1e-6);
        for (int q = 0; q < expected.Length; q++) Assert.Equal(expected[q], result.AveragePrecisions[q], 1e-9);
        Assert.Equal(ql.Count(l => l >= 5 || !gl.Contains(l)), result.QueriesWithoutRelevant);
        Assert.True(result.QueriesWithoutRelevant > 0);
    }

    [Theory]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.L2)]
    [InlineData(Metric.InnerProduct)]
    public void MeanAveragePrecision_Should_MatchBruteForce_OnGaussianData(Metric metric)
    {
        var rng = new Random(5);
        var queries = TestData.Gaussian(rng, 50, 24);
        var gallery = TestData.Gaussian(rng, 131, 24);
        var ql = TestData.Labels(rng, 50, 4);
        var gl = TestData.Labels(rng, 131, 4);
        var result = Retrieval.MeanAveragePrecision(queries, ql, gallery, gl, new RetrievalOptions(metric, BlockSize: 3, Threads: 2));
        Assert.Equal(NaiveRetrieval.Map(queries, NaiveRetrieval.Sets(ql), gallery, NaiveRetrieval.Sets(gl), metric), result.Map, 1e-6);
        // A ranking that is not all-relevant must score below 1 and above 0 on random data.
        Assert.InRange(result.Map, 0.05, 0.95);
    }

    [Theory]
    [InlineData(Metric.Cosine, 1)]
    [InlineData(Metric.Cosine, 10)]
    [InlineData(Metric.L2, 7)]
    [InlineData(Metric.InnerProduct, 40)]
    [InlineData(Metric.InnerProduct, 1000)]
    public void MeanAveragePrecisionAtK_Should_MatchBruteForce(Metric metric, int k)
    {
        var rng = new Random(17 * k);
        var values = metric == Metric.Cosine ? PlusMinusOne : SmallIntegers;
        int dim = metric == Metric.Cosine ? 16 : 5;
        var queries = TestData.Quantised(rng, 29, dim, 12, values);
        var gallery = TestData.Quantised(rng, 71, dim, 12, values);
        var ql = TestData.Labels(rng, 29, 6);
        var gl = TestData.Labels(rng, 71, 6);
        var result = Retrieval.MeanAveragePrecision(queries, ql, gallery, gl, new RetrievalOptions(metric, TopK: k, BlockSize: 4));
        Assert.Equal(NaiveRetrieval.Map(queries, NaiveRetrieval.Sets(ql), gallery, NaiveRetrieval.Sets(gl), metric, k), result.Map, 1e-6);
    }

    [Theory]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.L2)]
    public void MeanAveragePrecision_Should_MatchBruteForce_ForMultiLabel(Metric metric)
    {
        var rng = new Random(3);
        var values = metric == Metric.Cosine ? PlusMinusOne : SmallIntegers;
        var queries = TestData.Quantised(rng, 31, 16, 10, values);
        var gallery = TestData.Quantised(rng, 64, 16, 10, values);
        int[][] Sets(int n) => Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, rng.Next(0, 3)).Select(_ => rng.Next(8)).ToArray()).ToArray();
        var qs = Sets(31);
        var gs = Sets(64);
        var self = Enumerable.Range(0, 31).Select(i => i % 3 == 0 ? -1 : i).ToArray();
        var result = Retrieval.MeanAveragePrecision(queries, qs, gallery, gs, new RetrievalOptions(metric, BlockSize: 2), self);
        Assert.Equal(NaiveRetrieval.Map(queries, qs, gallery, gs, metric, 0, self), result.Map, 1e-6);
        Assert.Equal(qs.Count(s => s.Length == 0 || !gs.Any(g => g.Intersect(s).Any())) > 0, result.QueriesWithoutRelevant > 0);
    }

    [Fact]
    public void SelfExclusion_Should_RemoveTheQuerysOwnItemFromRankingAndR()
    {
        // Query = gallery: with self kept each query finds itself at rank 1.
        var rng = new Random(8);
        var items = TestData.Quantised(rng, 40, 16, 6, PlusMinusOne);
        var labels = TestData.Labels(rng, 40, 3);
        var self = Enumerable.Range(0, 40).ToArray();
        var sets = NaiveRetrieval.Sets(labels);
        var kept = Retrieval.MeanAveragePrecision(items, labels, items, labels, new RetrievalOptions(ExcludeSelf: false), self);
        var excluded = Retrieval.MeanAveragePrecision(items, labels, items, labels, new RetrievalOptions(BlockSize: 3), self);
        Assert.Equal(NaiveRetrieval.Map(items, sets, items, sets, Metric.Cosine), kept.Map, 1e-6);
        Assert.Equal(NaiveRetrieval.Map(items, sets, items, sets, Metric.Cosine, 0, self), excluded.Map, 1e-6);
        Assert.NotEqual(kept.Map, excluded.Map, 3);
    }

    [Fact]
    public void MeanAveragePrecision_Should_HandleEmptyInputs()
    {
        var empty = Retrieval.MeanAveragePrecision(new Matrix(0, 4), [], new Matrix(3, 4), [0, 1, 2]);
        Assert.Equal(0, empty.Queries);
        var noGallery = Retrieval.MeanAveragePrecision(new Matrix(2, 4), [0, 1], new Matrix(0, 4), []);
        Assert.Equal(2, noGallery.QueriesWithoutRelevant);
        Assert.Equal(0, noGallery.Map);
    }

    [Fact]
    public void MeanAveragePrecision_Should_RejectMismatchedInputs()
    {
        Assert.Throws<ArgumentException>(() => Retrieval.MeanAveragePrecision(new Matrix(2, 4), [0], new Matrix(3, 4), [0, 1, 2]));
        Assert.Throws<ArgumentException>(() => Retrieval.MeanAveragePrecision(new Matrix(2, 4), [0, 1], new Matrix(3, 5), [0, 1, 2]));
        Assert.Throws<ArgumentException>(() => Retrieval.MeanAveragePrecision(new Matrix(2, 4), [0, 1], new Matrix(3, 4), [0, 1, 2], null, [0, 3]));
    }

    [Theory]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.L2)]
    [InlineData(Metric.InnerProduct)]
    public void MeanAveragePrecision_Should_RankAllTiedGalleryByIndex(Metric metric)
    {
        // Every gallery row equal: one key for all items, so the order is the gallery index alone.
        var rng = new Random(2);
        var gallery = new Matrix(Enumerable.Range(0, 60 * 4).Select(i => (float)(i % 4) - 1.5f).ToArray(), 60, 4);
        var queries = TestData.Gaussian(rng, 9, 4);
        var ql = TestData.Labels(rng, 9, 3);
        var gl = TestData.Labels(rng, 60, 3);
        var result = Retrieval.MeanAveragePrecision(queries, ql, gallery, gl, new RetrievalOptions(metric));
        for (int q = 0; q < 9; q++)
        {
            // Relevant items at their 1-based gallery positions.
            var ranks = Enumerable.Range(0, 60).Where(g => gl[g] == ql[q]).Select(g => g + 1).ToArray();
            double ap = ranks.Select((rank, j) => (j + 1) / (double)rank).Sum() / ranks.Length;
            Assert.Equal(ap, result.AveragePrecisions[q], 12);
        }
    }

    [Fact]
    public void Cosine_Should_TreatZeroRowsAsSimilarityZero()
    {
        var rng = new Random(13);
        var gallery = TestData.Quantised(rng, 50, 16, 6, [-1f, 1f]);
        for (int g = 0; g < 50; g += 7) gallery.Row(g).Clear();
        var queries = TestData.Quantised(rng, 20, 16, 6, [-1f, 1f]);
        queries.Row(3).Clear();
        var ql = TestData.Labels(rng, 20, 3);
        var gl = TestData.Labels(rng, 50, 3);
        var result = Retrieval.MeanAveragePrecision(queries, ql, gallery, gl);
        Assert.Equal(NaiveRetrieval.Map(queries, NaiveRetrieval.Sets(ql), gallery, NaiveRetrieval.Sets(gl), Metric.Cosine), result.Map, 1e-9);
    }
}
