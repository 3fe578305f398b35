using CrossMedia.Training;
using ScottPlot;

namespace CrossMedia.Tests.Training;

public class TrainingPlotTests
{
    private static EpochRecord[] History(int epochs, Func<int, double>? bigLoss = null) => Enumerable.Range(1, epochs).Select(e => new EpochRecord(e,
        new Dictionary<string, double> { ["critic"] = -e * 0.1, ["regressor"] = 1.0 / e, ["alignment"] = bigLoss?.Invoke(e) ?? 24 - 0.1 * e },
        e % 2 == 0 ? 0.2 + 0.01 * e : null, e % 2 == 0 ? "softmax" : null, 1.0, 0.5, e % 2 == 0 ? 0.05 : null)).ToArray();

    [Fact]
    public void Write_Should_ProduceAPngOfTheRequestedSize()
    {
        var path = Path.Combine(Path.GetTempPath(), $"plot-{Guid.NewGuid():N}.png");
        try
        {
            TrainingPlot.Write(path, History(6), new TrainingPlotOptions("test") { Width = 800, Height = 300 });
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes.Take(4));
            // IHDR: width and height, big-endian, at offsets 16 and 20.
            Assert.Equal(800, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(300, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData(new string[0], "mAP")]
    [InlineData(new[] { "image", "text" }, "mAP (mean of image→text and text→image)")]
    [InlineData(new[] { "image", "text", "audio", "video" }, "mAP (mean of 12 directions among image, text, audio, video)")]
    public void MapAxis_Should_NameTheDirectionsOfTheRun(string[] media, string label)
    {
        var (_, map) = TrainingPlot.Panels(History(4), new TrainingPlotOptions("t") { Media = media });
        Assert.Equal(label, map.Axes.Left.Label.Text);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void EpochTicks_Should_BeWholeEpochs_OnShortRuns(int epochs)
    {
        var (losses, map) = TrainingPlot.Panels(History(epochs), new TrainingPlotOptions("t"));
        foreach (var plot in losses.Append(map))
        {
            plot.RenderInMemory(400, 300); // ticks are placed when drawn
            var ticks = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Position).ToArray();
            Assert.NotEmpty(ticks);
            Assert.All(ticks, x => Assert.Equal(Math.Round(x), x));
        }
    }

    [Fact]
    public void EachLossTerm_Should_HaveItsOwnPanelAndScale()
    {
        var (losses, _) = TrainingPlot.Panels(History(5), new TrainingPlotOptions("t"));
        Assert.Equal(["critic", "regressor", "alignment"], losses.Select(p => p.Axes.Title.Label.Text));
        var critic = losses[0];
        critic.RenderInMemory(400, 300);
        Assert.True(critic.Axes.GetLimits().Top < 1, "the critic's panel is scaled to the critic (≤ 0), not to the loss near 24");
    }

    [Fact]
    public void Legend_Should_NamePostProcessing_OnlyWhenThereIsOne_AndShowChanceAndTheSecondStage()
    {
        static string[] Legend(Plot plot) => plot.GetPlottables().Select(p => p.LegendItems.FirstOrDefault()?.LabelText ?? "").Where(t => t != "").ToArray();
        var (_, jfse) = TrainingPlot.Panels(History(6), new TrainingPlotOptions("t") { BestOfPostProcessings = true });
        Assert.Contains("validation mAP (best post-processing)", Legend(jfse));
        Assert.Contains("selected: epoch 6, 0.260 (softmax)", Legend(jfse));
        var (fgLosses, fg) = TrainingPlot.Panels(History(6), new TrainingPlotOptions("t") { SecondStageFrom = 4 });
        Assert.DoesNotContain(Legend(fg), t => t.Contains("post-processing"));
        Assert.Contains("selected: epoch 6, 0.260", Legend(fg));
        Assert.Contains("chance (random ranking): 0.050", Legend(fg));
        Assert.Contains("stage 2 from epoch 4", Legend(fg));
        Assert.All(fgLosses.Append(fg), p => Assert.Contains(p.GetPlottables().OfType<ScottPlot.Plottables.VerticalLine>(), l => l.X == 3.5));
    }
}
