using CrossMedia.Models.FgCrossNet;
using CrossMedia.Torch;
using TorchSharp;

namespace CrossMedia.Tests.Models.FgCrossNet;

public class VideoPoolingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AverageByVideo_Should_GroupByIdWhateverTheCountsAndOrder(int seed)
    {
        TorchRuntime.Initialize(2);
        var rng = new Random(seed);
        // Videos with 1, 7, 25 and 3 frames, shuffled together.
        var counts = new Dictionary<string, int> { ["v-a"] = 1, ["v-b"] = 7, ["v-c"] = 25, ["v-d"] = 3 };
        var ids = counts.SelectMany(kv => Enumerable.Repeat(kv.Key, kv.Value)).OrderBy(_ => rng.Next()).ToArray();
        var values = Enumerable.Range(0, ids.Length * 4).Select(_ => (float)rng.NextDouble()).ToArray();
        using var logits = torch.tensor(values, [ids.Length, 4]);

        var (pooled, videos) = VideoPooling.AverageByVideo(logits, ids);
        using var _ = pooled;

        Assert.Equal(ids.Distinct().ToArray(), videos); // order of first appearance
        Assert.Equal(new long[] { 4, 4 }, pooled.shape);
        var got = pooled.data<float>().ToArray();
        for (var v = 0; v < videos.Length; v++)
            for (var c = 0; c < 4; c++)
            {
                var expected = Enumerable.Range(0, ids.Length).Where(i => ids[i] == videos[v]).Average(i => values[i * 4 + c]);
                Assert.Equal(expected, got[v * 4 + c], 4);
            }
    }

    [Fact]
    public void AverageByVideo_Should_RejectMismatchedIds()
    {
        TorchRuntime.Initialize(2);
        using var logits = torch.zeros(3, 2);
        Assert.Throws<ArgumentException>(() => VideoPooling.AverageByVideo(logits, ["a", "b"]));
    }
}
