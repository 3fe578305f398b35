using System.Globalization;
using CrossMedia.Core;
using ScottPlot;

namespace CrossMedia.Evaluation;

/// <summary>Precision–recall curves as a PNG (ScottPlot), one line per named curve.</summary>
internal static class PrecisionRecallPlot
{
    /// <summary>Most points drawn per curve; longer full curves are thinned evenly (last point kept).</summary>
    public const int MaxPoints = 2000;

    /// <summary>PNG bytes of the curves; <paramref name="map"/>, when given, is named in the legend.</summary>
    public static byte[] RenderPng(IReadOnlyList<(string Name, PrecisionRecallCurve Curve)> curves, string title, double? map = null, int width = 800, int height = 600) =>
        Build(curves, title, map).GetImageBytes(width, height, ImageFormat.Png);

    /// <summary>Writes the PNG atomically.</summary>
    public static void SavePng(string path, IReadOnlyList<(string Name, PrecisionRecallCurve Curve)> curves, string title, double? map = null, int width = 800, int height = 600) =>
        AtomicFile.WriteAllBytes(path, RenderPng(curves, title, map, width, height));

    private static readonly double[] Ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
    private static readonly string[] TickLabels = Ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray();

    internal static Plot Build(IReadOnlyList<(string Name, PrecisionRecallCurve Curve)> curves, string title, double? map)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        foreach (var (name, curve) in curves)
        {
            var (xs, ys) = Thin(curve);
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = name;
            line.MarkerSize = xs.Length <= 11 ? 6 : 0;
            line.LineWidth = 2;
        }
        if (map is { } m) plot.Legend.ManualItems.Add(new LegendItem { LabelText = string.Create(CultureInfo.InvariantCulture, $"mAP = {m:F4}") });
        plot.Title(title, 15);
        plot.Axes.Title.Label.Bold = false;
        plot.XLabel("recall", 13);
        plot.YLabel("precision", 13);
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            axis.Label.Bold = false;
            axis.TickLabelStyle.FontSize = 12;
            axis.MinorTickStyle.Length = 0;
            axis.SetTicks(Ticks, TickLabels);
        }
        plot.Grid.MajorLineColor = Color.FromHex("#e8e8e8");
        plot.Grid.MinorLineWidth = 0;
        // matplotlib's 5 % margins: the curves may touch 0 and 1, and the tick labels at 0 and 1 stay inside the figure.
        plot.Axes.SetLimits(-0.05, 1.05, -0.05, 1.05);
        if (curves.Count > 0 || map is not null)
        {
            plot.ShowLegend(Alignment.LowerLeft);
            plot.Legend.FontSize = 13;
            plot.Legend.OutlineColor = Colors.LightGray;
            plot.Legend.ShadowColor = Colors.Transparent;
        }
        return plot;
    }

    private static (double[] Xs, double[] Ys) Thin(PrecisionRecallCurve c)
    {
        int n = c.Recall.Length;
        if (n <= MaxPoints) return (c.Recall, c.Precision);
        var idx = Enumerable.Range(0, MaxPoints).Select(i => (int)((long)i * (n - 1) / (MaxPoints - 1))).ToArray();
        return (idx.Select(i => c.Recall[i]).ToArray(), idx.Select(i => c.Precision[i]).ToArray());
    }
}
