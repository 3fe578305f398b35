using System.Globalization;
using CrossMedia.Core;
using ScottPlot;
using SkiaSharp;

namespace CrossMedia.Training;

/// <summary>What <see cref="TrainingPlot"/> needs to know about the run beyond its history.</summary>
/// <param name="Title">The figure's title (method and dataset).</param>
public sealed record TrainingPlotOptions(string Title)
{
    /// <summary>The media validated, in order: the mAP axis names the directions its mean runs over.</summary>
    public IReadOnlyList<string> Media { get; init; } = [];
    /// <summary>Whether each validation mAP is the best over several post-processings (JFSE), named in the legend.</summary>
    public bool BestOfPostProcessings { get; init; }
    /// <summary>The first epoch of a second training stage (FGCrossNet), marked in every panel.</summary>
    public int? SecondStageFrom { get; init; }
    /// <summary>Size of the PNG, pixels.</summary>
    public int Width { get; init; } = 1400;
    public int Height { get; init; } = 640;
}

/// <summary>
/// Training curves as one PNG in the manner of a paper figure: a small panel per loss term (each with its own
/// scale, so a loss near 24 does not flatten one near 0.1) beside the validation mAP with its chance level and
/// the selected epoch; integer epoch ticks; a dashed line where a second stage starts. ScottPlot 5 panels
/// composed on one SkiaSharp canvas.
/// </summary>
internal static class TrainingPlot
{
    private const string Font = "DejaVu Sans"; // matplotlib's default face
    private const int TitleBand = 40;

    public static void Write(string path, IReadOnlyList<EpochRecord> history, TrainingPlotOptions options) =>
        AtomicFile.WriteAllBytes(path, RenderPng(history, options));

    /// <summary>PNG bytes of the figure.</summary>
    public static byte[] RenderPng(IReadOnlyList<EpochRecord> history, TrainingPlotOptions options)
    {
        var (losses, map) = Panels(history, options);
        int width = options.Width, height = options.Height;
        int lossWidth = (int)(width * 0.6);
        int columns = Columns(losses.Count);
        int rows = (losses.Count + columns - 1) / columns;
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        float cellWidth = (float)lossWidth / columns, cellHeight = (float)(height - TitleBand) / rows;
        for (int i = 0; i < losses.Count; i++)
            Draw(canvas, losses[i], i % columns * cellWidth, TitleBand + i / columns * cellHeight, cellWidth, cellHeight);
        Draw(canvas, map, lossWidth, TitleBand, width - lossWidth, height - TitleBand);
        using (var typeface = SKTypeface.FromFamilyName(Font, SKFontStyle.Bold))
        using (var font = new SKFont(typeface, 17))
        using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
            canvas.DrawText(options.Title, width / 2f, 27, SKTextAlign.Center, font, paint);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Draws a panel at (x, y); on its own surface because ScottPlot clears the whole canvas it renders on.</summary>
    private static void Draw(SKCanvas canvas, Plot panel, float x, float y, float width, float height)
    {
        using var surface = SKSurface.Create(new SKImageInfo((int)width, (int)height));
        panel.Render(surface);
        using var image = surface.Snapshot();
        canvas.DrawImage(image, x, y);
    }

    /// <summary>The loss panels (one per term, in order of first appearance) and the validation panel.</summary>
    internal static (IReadOnlyList<Plot> Losses, Plot Map) Panels(IReadOnlyList<EpochRecord> history, TrainingPlotOptions options)
    {
        if (history.Count == 0) throw new ArgumentException("no epochs to plot", nameof(history));
        var names = history.SelectMany(h => h.Losses.Keys).Distinct().ToArray();
        var palette = new ScottPlot.Palettes.Category10();
        var losses = new List<Plot>();
        for (int i = 0; i < names.Length; i++)
        {
            var plot = NewPanel();
            var points = history.Where(h => h.Losses.ContainsKey(names[i])).ToArray();
            var line = plot.Add.Scatter(points.Select(h => (double)h.Epoch).ToArray(), points.Select(h => h.Losses[names[i]]).ToArray(), palette.GetColor(i));
            Style(line, points.Length);
            MarkSecondStage(plot, options, legend: false);
            plot.Title(names[i], 13);
            if (i >= names.Length - Columns(names.Length)) plot.XLabel("epoch", 12); // the bottom row
            losses.Add(plot);
        }

        var map = NewPanel();
        var evaluated = history.Where(h => h.ValidationMap.HasValue).ToArray();
        if (evaluated.Length > 0)
        {
            var line = map.Add.Scatter(evaluated.Select(h => (double)h.Epoch).ToArray(), evaluated.Select(h => h.ValidationMap!.Value).ToArray(), palette.GetColor(0));
            Style(line, evaluated.Length);
            line.LegendText = options.BestOfPostProcessings ? "validation mAP (best post-processing)" : "validation mAP";
            if (evaluated.LastOrDefault(h => h.ValidationChance.HasValue)?.ValidationChance is { } chance)
            {
                var level = map.Add.HorizontalLine(chance, 1.5f, Colors.Gray, LinePattern.Dashed);
                level.LegendText = string.Create(CultureInfo.InvariantCulture, $"chance (random ranking): {chance:F3}");
            }
            var best = evaluated.MaxBy(h => h.ValidationMap!.Value)!;
            var selected = map.Add.Marker(best.Epoch, best.ValidationMap!.Value, MarkerShape.OpenCircle, 14, palette.GetColor(3));
            selected.MarkerLineWidth = 2;
            selected.LegendText = string.Create(CultureInfo.InvariantCulture,
                $"selected: epoch {best.Epoch}, {best.ValidationMap:F3}{(options.BestOfPostProcessings && best.PostProcessing is { } post ? $" ({post})" : "")}");
            MarkSecondStage(map, options, legend: true);
            map.ShowLegend(Alignment.LowerRight); // validation curves rise and flatten: the lower right holds only the chance line
            map.Legend.FontSize = 12;
            map.Legend.FontName = Font;
            map.Legend.OutlineColor = Colors.LightGray;
            map.Legend.ShadowColor = Colors.Transparent;
        }
        map.Title("validation", 13);
        map.XLabel("epoch", 12);
        map.YLabel(MapAxisLabel(options.Media), 12);
        // One epoch range for every panel (a term that starts in stage 2 too), with matplotlib's 5 % margins.
        int first = history.Min(h => h.Epoch), last = history.Max(h => h.Epoch);
        double margin = last > first ? (last - first) * 0.05 : 0.5;
        foreach (var plot in losses.Append(map)) plot.Axes.SetLimitsX(first - margin, last + margin);
        return (losses, map);
    }

    /// <summary>Columns of the loss grid: one for up to two terms, then two, then three.</summary>
    private static int Columns(int panels) => panels <= 2 ? 1 : panels <= 8 ? 2 : 3;

    /// <summary>The mAP axis label: which directions the validation mAP is the mean of.</summary>
    internal static string MapAxisLabel(IReadOnlyList<string> media) => media.Count switch
    {
        < 2 => "mAP",
        2 => $"mAP (mean of {media[0]}→{media[1]} and {media[1]}→{media[0]})",
        _ => $"mAP (mean of {media.Count * (media.Count - 1)} directions among {string.Join(", ", media)})",
    };

    /// <summary>An empty panel in the manner of matplotlib: sans-serif, plain labels, a light major grid, no minor ticks, integer epochs.</summary>
    private static Plot NewPanel()
    {
        var plot = new Plot();
        plot.Font.Set(Font);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { MaxTickCount = 8 };
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            axis.Label.Bold = false;
            axis.TickLabelStyle.FontSize = 11;
            axis.MinorTickStyle.Length = 0;
        }
        plot.Axes.Title.Label.Bold = false;
        plot.Grid.MajorLineColor = Color.FromHex("#e8e8e8");
        plot.Grid.MinorLineWidth = 0;
        return plot;
    }

    private static void Style(ScottPlot.Plottables.Scatter line, int points)
    {
        line.LineWidth = 1.75f;
        line.MarkerSize = points <= 30 ? 5 : 0;
    }

    /// <summary>A dashed line half an epoch before the first epoch of the second stage.</summary>
    private static void MarkSecondStage(Plot plot, TrainingPlotOptions options, bool legend)
    {
        if (options.SecondStageFrom is not { } first) return;
        var line = plot.Add.VerticalLine(first - 0.5, 1.25f, Colors.DimGray, LinePattern.Dotted);
        if (legend) line.LegendText = $"stage 2 from epoch {first}";
    }
}
