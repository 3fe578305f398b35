using CrossMedia.Core;

namespace CrossMedia.Tests.Numerics;

/// <summary>One metric type for evaluation and index, one spelling per metric.</summary>
public class MetricTests
{
    [Fact]
    public void Metric_Should_KeepTheByteValuesIndexFilesStore()
    {
        // Index files written before store the metric as this byte; they must open unchanged.
        Assert.Equal(1, (byte)Metric.Cosine);
        Assert.Equal(2, (byte)Metric.InnerProduct);
        Assert.Equal(3, (byte)Metric.L2);
    }

    [Fact]
    public void Names_Should_RoundTrip_AndRefuseOtherSpellings()
    {
        foreach (var metric in Enum.GetValues<Metric>()) Assert.Equal(metric, MetricNames.Parse(metric.Name()));
        Assert.Equal(["cosine", "ip", "l2"], Enum.GetValues<Metric>().Select(m => m.Name()));
        Assert.Equal(MetricNames.All, Enum.GetValues<Metric>().Select(m => m.Name()));
        var e = Assert.Throws<InputException>(() => MetricNames.Parse("euclidean"));
        Assert.Contains("cosine, ip or l2", e.Message);
    }
}
