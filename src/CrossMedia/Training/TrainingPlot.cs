using CrossMedia.Core;
using ScottPlot;
using SkiaSharp;

namespace CrossMedia.Training;

/// <summary>
/// Training curves as one PNG: the loss terms per epoch on the left, the validation mAP on the
/// epochs where it was evaluated on the right (ScottPlot 5, composed side by side with SkiaSharp).
/// </summary>
internal static class TrainingPlot
{
    public static void Write(string path, IReadOnlyList<EpochRecord> history, string title, int width = 1400, int height = 520)
    {
        if (history.Count == 0) throw new ArgumentException("no epochs to plot", nameof(history));
        int half = width / 2;

        var losses = new Plot();
        var epochs = history.Select(h => (double)h.Epoch).ToArray();
        foreach (var name in history.SelectMany(h => h.Losses.Keys).Distinct())
        {
            var ys = history.Select(h => h.Losses.TryGetValue(name, out var v) ? v : double.NaN).ToArray();
            losses.Add.ScatterLine(epochs, ys).LegendText = name;
        }
        losses.Title($"{title}: losses");
        losses.XLabel("epoch");
        losses.YLabel("mean loss over the epoch");
        losses.ShowLegend(Alignment.UpperRight);

        var map = new Plot();
        var evaluated = history.Where(h => h.ValidationMap.HasValue).ToArray();
        if (evaluated.Length > 0)
        {
            var line = map.Add.Scatter(evaluated.Select(h => (double)h.Epoch).ToArray(), evaluated.Select(h => h.ValidationMap!.Value).ToArray());
            line.LegendText = "validation mAP (best post-processing)";
            var best = evaluated.MaxBy(h => h.ValidationMap!.Value)!;
            var marker = map.Add.Marker(best.Epoch, best.ValidationMap!.Value);
            marker.LegendText = $"selected: epoch {best.Epoch}, {best.ValidationMap:F3} ({best.PostProcessing})";
            marker.Size = 12;
            map.ShowLegend(Alignment.LowerRight);
        }
        map.Title($"{title}: validation mAP");
        map.XLabel("epoch");
        map.YLabel("mAP (mean of both directions)");

        using var left = SKBitmap.Decode(losses.GetImageBytes(half, height, ImageFormat.Png));
        using var right = SKBitmap.Decode(map.GetImageBytes(width - half, height, ImageFormat.Png));
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        surface.Canvas.Clear(SKColors.White);
        surface.Canvas.DrawBitmap(left, 0, 0);
        surface.Canvas.DrawBitmap(right, half, 0);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, png.ToArray());
    }
}
