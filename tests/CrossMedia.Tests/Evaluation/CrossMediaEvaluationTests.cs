using CrossMedia.Core;
using CrossMedia.Evaluation;

namespace CrossMedia.Tests.Evaluation;

public class CrossMediaEvaluationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AllDirections_Should_MatchBruteForce_IncludingXToAll(bool excludeSelf)
    {
        var rng = new Random(21);
        float[] values = [-1f, 1f];
        var image = TestData.Quantised(rng, 30, 16, 7, values);
        var text = TestData.Quantised(rng, 30, 16, 7, values);
        var audio = TestData.Quantised(rng, 20, 16, 7, values);
        var labels = TestData.Labels(rng, 30, 4);
        var audioLabels = TestData.Labels(rng, 20, 4);
        var media = new[]
        {
            new EmbeddedMedium("image", image, labels),
            new EmbeddedMedium("text", text, labels),
            new EmbeddedMedium("audio", audio, audioLabels),
        };
        var options = new RetrievalOptions(ExcludeSelf: excludeSelf, BlockSize: 4);
        var results = CrossMediaEvaluation.AllDirections(media, options, includeAll: true);

        Assert.Equal(6 + 3, results.Count);
        Assert.Equal(["image→text", "image→audio", "text→image", "text→audio", "audio→image", "audio→text", "image→all", "text→all", "audio→all"],
            results.Select(r => $"{r.Query}→{r.Gallery}"));
        var all = Matrix.VStack([image, text, audio]);
        var allSets = NaiveRetrieval.Sets([.. labels, .. labels, .. audioLabels]);
        int offset = 0;
        foreach (var m in media)
        {
            var self = excludeSelf ? Enumerable.Range(offset, m.Embeddings.Rows).ToArray() : null;
            var expected = NaiveRetrieval.Map(m.Embeddings, NaiveRetrieval.Sets(m.Labels), all, allSets, Metric.Cosine, 0, self);
            Assert.Equal(expected, results.Single(r => r.Query == m.Name && r.ToAllMedia).Result.Map, 1e-6);
            offset += m.Embeddings.Rows;
            foreach (var g in media.Where(g => g != m))
                Assert.Equal(NaiveRetrieval.Map(m.Embeddings, NaiveRetrieval.Sets(m.Labels), g.Embeddings, NaiveRetrieval.Sets(g.Labels), Metric.Cosine),
                    results.Single(r => r.Query == m.Name && r.Gallery == g.Name).Result.Map, 1e-6);
        }
    }
}
