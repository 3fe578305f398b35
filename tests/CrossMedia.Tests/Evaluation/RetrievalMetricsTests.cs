using CrossMedia.Core;
using CrossMedia.Evaluation;

namespace CrossMedia.Tests.Evaluation;

public class RetrievalMetricsTests
{
    // Inner product, 1-D. Gallery values 6 5 4 3 2 1 with labels 0 1 1 0 0 1.
    // q0 = [1], label 0: order g0..g5 → relevant (label 0) at ranks 1, 4, 5
    // q1 = [1], label 1: relevant at ranks 2, 3, 6
    // q2 = [−1], label 0: order g5..g0 (labels 1 0 0 1 1 0) → relevant at ranks 2, 3, 6
    // AP: q0 = (1/1 + 2/4 + 3/5)/3 = 0.7; q1 = q2 = (1/2 + 2/3 + 3/6)/3 = 0.555556
    private static RetrievalReport Example(IReadOnlyList<int>? cutoffs = null) => RetrievalMetrics.Evaluate(
        new Matrix([1f, 1f, -1f], 3, 1), [0, 1, 0],
        new Matrix([6f, 5f, 4f, 3f, 2f, 1f], 6, 1), [0, 1, 1, 0, 0, 1],
        new RetrievalOptions(Metric.InnerProduct, BlockSize: 2), cutoffs: cutoffs ?? [1, 3, 5]);

    [Fact]
    public void PrecisionAndRecallAtK_Should_MatchHandComputation()
    {
        var r = Example();
        // P@1 = (1 + 0 + 0)/3; P@3 = (1/3 + 2/3 + 2/3)/3 = 5/9; P@5 = (3/5 + 2/5 + 2/5)/3 = 7/15
        Assert.Equal([1 / 3.0, 5 / 9.0, 7 / 15.0], r.PrecisionAtK, new Tolerance(1e-12));
        // R = 3 for every query: R@1 = (1/3)/3; R@3 = (1/3 + 2/3 + 2/3)/3 = 5/9; R@5 = (1 + 2/3 + 2/3)/3 = 7/9
        Assert.Equal([1 / 9.0, 5 / 9.0, 7 / 9.0], r.RecallAtK, new Tolerance(1e-12));
        Assert.Equal((0.7 + 2 * (0.5 + 2 / 3.0 + 0.5) / 3) / 3, r.Map.Map, 12);
    }

    [Fact]
    public void ElevenPointCurve_Should_MatchHandComputation()
    {
        // q0 points (recall, precision): (1/3, 1), (2/3, 1/2), (1, 3/5)
        //   interpolated: levels 0–0.3 → max(1, .5, .6) = 1; 0.4–0.6 → max(.5, .6) = .6; 0.7–1 → .6
        // q1 = q2 points: (1/3, 1/2), (2/3, 2/3), (1, 1/2)
        //   interpolated: levels 0–0.6 → 2/3; 0.7–1 → 1/2
        // mean: 0–0.3 → (1 + 4/3)/3 = 7/9; 0.4–0.6 → (0.6 + 4/3)/3; 0.7–1 → (0.6 + 1)/3
        double a = 7 / 9.0, b = (0.6 + 4 / 3.0) / 3, c = 1.6 / 3;
        var r = Example();
        Assert.Equal(PrecisionRecallCurve.ElevenRecallLevels, r.Interpolated.Recall);
        Assert.Equal([a, a, a, a, b, b, b, c, c, c, c], r.Interpolated.Precision, new Tolerance(1e-12));
    }

    [Fact]
    public void FullCurve_Should_MatchHandComputation()
    {
        // Σ over queries of hits in the first k (ranks {1,4,5}, {2,3,6}, {2,3,6}): 1, 3, 5, 6, 7, 9
        // mean P@k = Σhits / (3k); mean R@k = Σhits / (3·3)
        long[] hits = [1, 3, 5, 6, 7, 9];
        var r = Example();
        Assert.Equal(hits.Select((h, i) => h / (3.0 * (i + 1))).ToArray(), r.Full.Precision, new Tolerance(1e-12));
        Assert.Equal(hits.Select(h => h / 9.0).ToArray(), r.Full.Recall, new Tolerance(1e-12));
    }

    [Fact]
    public void PerClassAp_Should_AverageTheQueriesOfEachClass()
    {
        // label 0: q0 and q2 → (0.7 + 0.555556)/2; label 1: q1 → 0.555556
        double ap12 = (0.5 + 2 / 3.0 + 0.5) / 3;
        var r = Example();
        Assert.Equal([0, 1], r.PerClass.Select(c => c.Label));
        Assert.Equal((0.7 + ap12) / 2, r.PerClass[0].Map, 12);
        Assert.Equal(2, r.PerClass[0].Queries);
        Assert.Equal(ap12, r.PerClass[1].Map, 12);
    }

    [Fact]
    public void PrecisionAtK_Should_MatchBruteForceWithTiesAndSelfExclusion()
    {
        var rng = new Random(12);
        var items = TestData.Quantised(rng, 45, 16, 8, [-1f, 1f]);
        var labels = TestData.Labels(rng, 45, 4);
        var self = Enumerable.Range(0, 45).ToArray();
        int[] cutoffs = [1, 4, 13, 60];
        var r = RetrievalMetrics.Evaluate(items, labels, items, labels, new RetrievalOptions(BlockSize: 4), self, cutoffs);
        for (int c = 0; c < cutoffs.Length; c++)
        {
            double p = 0, rec = 0;
            for (int q = 0; q < 45; q++)
            {
                var order = NaiveRetrieval.Ranking(items, q, items, Metric.Cosine, q);
                int total = order.Count(g => labels[g] == labels[q]);
                int hits = order.Take(cutoffs[c]).Count(g => labels[g] == labels[q]);
                p += hits / (double)cutoffs[c];
                rec += total == 0 ? 0 : hits / (double)total;
            }
            Assert.Equal(p / 45, r.PrecisionAtK[c], 12);
            Assert.Equal(rec / 45, r.RecallAtK[c], 12);
        }
        Assert.Equal(44, r.Full.Recall.Length - 1); // 45 gallery items, one point per rank
    }

    [Fact]
    public void Plot_Should_WriteAPng()
    {
        var r = Example();
        var path = Path.Combine(Path.GetTempPath(), $"pr-{Guid.NewGuid():N}.png");
        try
        {
            PrecisionRecallPlot.SavePng(path, [("11-point", r.Interpolated), ("full", r.Full)], "image→text");
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            Assert.True(bytes.Length > 2000);
        }
        finally { File.Delete(path); }
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= eps;
        public int GetHashCode(double obj) => 0;
    }
}
