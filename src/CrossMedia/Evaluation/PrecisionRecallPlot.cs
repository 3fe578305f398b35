using CrossMedia.Core;

namespace CrossMedia.Evaluation;

/// <summary>Precision–recall curves as a PNG (ScottPlot), one line per named curve.</summary>
internal static class PrecisionRecallPlot
{
    /// <summary>Most points drawn per curve; longer full curves are thinned evenly (last point kept).</summary>
    public const int MaxPoints = 2000;

    /// <summary>PNG bytes of the curves.</summary>
    public static byte[] RenderPng(IReadOnlyList<(string Name, PrecisionRecallCurve Curve)> curves, string title, int width = 800, int height = 600)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (name, curve) in curves)
        {
            var (xs, ys) = Thin(curve);
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = name;
            line.MarkerSize = xs.Length <= 11 ? 5 : 0;
            line.LineWidth = 2;
        }
        plot.Title(title);
        plot.XLabel("Recall");
        plot.YLabel("Precision");
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        if (curves.Count > 0) plot.ShowLegend();
        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }

    /// <summary>Writes the PNG atomically.</summary>
    public static void SavePng(string path, IReadOnlyList<(string Name, PrecisionRecallCurve Curve)> curves, string title, int width = 800, int height = 600) =>
        AtomicFile.WriteAllBytes(path, RenderPng(curves, title, width, height));

    private static (double[] Xs, double[] Ys) Thin(PrecisionRecallCurve c)
    {
        int n = c.Recall.Length;
        if (n <= MaxPoints) return (c.Recall, c.Precision);
        var idx = Enumerable.Range(0, MaxPoints).Select(i => (int)((long)i * (n - 1) / (MaxPoints - 1))).ToArray();
        return (idx.Select(i => c.Recall[i]).ToArray(), idx.Select(i => c.Precision[i]).ToArray());
    }
}
