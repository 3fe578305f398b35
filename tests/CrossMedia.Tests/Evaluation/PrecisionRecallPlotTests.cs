using CrossMedia.Evaluation;
using ScottPlot;

namespace CrossMedia.Tests.Evaluation;

public class PrecisionRecallPlotTests
{
    private static readonly PrecisionRecallCurve Curve = new([0, 0.5, 1], [1, 0.6, 0.3]);

    [Fact]
    public void Legend_Should_NameTheMap()
    {
        var plot = PrecisionRecallPlot.Build([("full", Curve)], "image→text", 0.51234);
        var legend = plot.GetPlottables().SelectMany(p => p.LegendItems).Concat(plot.Legend.ManualItems).Select(i => i.LabelText);
        Assert.Equal(["full", "mAP = 0.5123"], legend);
    }

    [Fact]
    public void Axes_Should_KeepTheTicksAt0And1InsideTheFigure()
    {
        var plot = PrecisionRecallPlot.Build([("full", Curve)], "t", null);
        plot.RenderInMemory(800, 600);
        var limits = plot.Axes.GetLimits();
        Assert.True(limits.Left < 0 && limits.Right > 1 && limits.Bottom < 0 && limits.Top > 1, $"limits {limits}");
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            var ticks = axis.TickGenerator.Ticks.Where(t => t.IsMajor).OrderBy(t => t.Position).Select(t => t.Label).ToArray();
            Assert.Equal(["0", "0.2", "0.4", "0.6", "0.8", "1"], ticks);
        }
    }
}
