using CrossMedia.Core;
using CrossMedia.Evaluation;
using CrossMedia.Index;
using CrossMedia.Tests.Evaluation;

namespace CrossMedia.Tests.Numerics;

/// <summary>
/// The one kernel behind ranking and search must give the same keys, bit for bit, on every path
/// (AVX-512, AVX2, scalar), so metrics and search results never depend on the CPU. Each test forces
/// a path through <see cref="PanelKernel.Active"/>; a path this CPU lacks is not run.
/// </summary>
public class PanelKernelTests
{
    private static bool Force(string path, out PanelKernel.Isa isa)
    {
        isa = Enum.Parse<PanelKernel.Isa>(path);
        if (isa > PanelKernel.Best) return false;
        PanelKernel.Active = isa;
        return true;
    }

    [Theory]
    [InlineData("Scalar")]
    [InlineData("Avx2")]
    [InlineData("Avx512")]
    public unsafe void Keys_Should_EqualOneFusedMultiplyAddPerDimension_BitForBit(string path)
    {
        if (!Force(path, out var isa)) return;
        try
        {
            // 29 queries (not a multiple of any tile), 23 items (two panels, the second partly empty), d = 37.
            var rng = new Random(7);
            var q = TestData.Gaussian(rng, 29, 37);
            var g = TestData.Gaussian(rng, 23, 37);
            var offsets = new float[32];
            for (int i = 0; i < offsets.Length; i++) offsets[i] = (float)rng.NextDouble() * 10;
            var packedQ = new float[PanelKernel.PackedQueryFloats(29, 37, isa)];
            var panels = new float[2 * 16 * 37];
            var keys = new float[29 * 32];
            fixed (float* qs = q.Data, gs = g.Data, pq = packedQ, pg = panels, off = offsets, k = keys)
            {
                PanelKernel.PackQueries(qs, 29, 37, null, pq, isa);
                PanelKernel.PackPanel(gs, 16, 37, null, pg);
                PanelKernel.PackPanel(gs + 16 * 37, 7, 37, null, pg + 16 * 37);
                for (int p = 0; p < 2; p++)
                    PanelKernel.Keys(isa, pq, 29, 37, pg + p * 16 * 37, p == 0 ? off : null, k + p * 16, 32);
            }
            for (int i = 0; i < 29; i++)
                for (int c = 0; c < 32; c++)
                {
                    float acc = 0;
                    for (int d = 0; d < 37; d++) acc = MathF.FusedMultiplyAdd(q[i, d], c < 23 ? g[c, d] : 0f, acc);
                    float expected = (c < 16 ? offsets[c] : 0f) - (acc + acc);
                    Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(keys[i * 32 + c]),
                        $"query {i}, item {c}: {keys[i * 32 + c]:R}, expected {expected:R}");
                }
        }
        finally { PanelKernel.Active = PanelKernel.Best; }
    }

    [Theory]
    [InlineData("Scalar")]
    [InlineData("Avx2")]
    [InlineData("Avx512")]
    public void Retrieval_Should_GiveIdenticalAveragePrecisions_OnEveryPath(string path)
    {
        var rng = new Random(5);
        var queries = TestData.Gaussian(rng, 50, 24);
        var gallery = TestData.Gaussian(rng, 131, 24);
        var ql = TestData.Labels(rng, 50, 4);
        var gl = TestData.Labels(rng, 131, 4);
        foreach (var metric in Enum.GetValues<Metric>())
        {
            var options = new RetrievalOptions(metric, BlockSize: 7, Threads: 2);
            var best = Retrieval.MeanAveragePrecision(queries, ql, gallery, gl, options);
            if (!Force(path, out _)) return;
            try
            {
                var forced = Retrieval.MeanAveragePrecision(queries, ql, gallery, gl, options);
                Assert.Equal(best.AveragePrecisions, forced.AveragePrecisions);
                Assert.Equal(best.Map, forced.Map);
            }
            finally { PanelKernel.Active = PanelKernel.Best; }
            Assert.Equal(NaiveRetrieval.Map(queries, NaiveRetrieval.Sets(ql), gallery, NaiveRetrieval.Sets(gl), metric), best.Map, 1e-6);
        }
    }

    [Theory]
    [InlineData("Scalar")]
    [InlineData("Avx2")]
    [InlineData("Avx512")]
    public void Search_Should_GiveIdenticalScoresAndIds_OnEveryPath(string path)
    {
        var rng = new Random(11);
        var gallery = TestData.Gaussian(rng, 203, 19);
        var queries = TestData.Gaussian(rng, 29, 19);
        foreach (var metric in Enum.GetValues<Metric>())
        {
            using var index = new FlatIndex(19, metric) { BlockRows = 48, Threads = 2 };
            index.Add(gallery);
            var (bestScores, bestIds) = index.Search(queries, 7);
            if (!Force(path, out _)) return;
            try
            {
                var (scores, ids) = index.Search(queries, 7);
                Assert.Equal(bestIds, ids);
                Assert.Equal(bestScores.Select(BitConverter.SingleToUInt32Bits), scores.Select(BitConverter.SingleToUInt32Bits));
            }
            finally { PanelKernel.Active = PanelKernel.Best; }
        }
    }
}
