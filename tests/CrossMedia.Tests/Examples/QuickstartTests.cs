using CrossMedia.Examples;

namespace CrossMedia.Tests.Examples;

/// <summary>The README's library example runs and does what it says.</summary>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class QuickstartTests
{
    [Fact]
    public void Quickstart_Should_TrainEvaluateIndexAndFindTextsOfTheQueryImagesClass()
    {
        var work = Directory.CreateTempSubdirectory("quickstart").FullName;
        try
        {
            var log = new StringWriter();
            var outcome = Quickstart.Run(work, log);
            Assert.True(outcome.TestMap > 0.6, $"test mAP {outcome.TestMap:F3} (chance ≈ 0.1)\n{log}");
            Assert.Equal(5, outcome.Hits.Count);
            Assert.All(outcome.Hits, h => Assert.Equal("text", h.Item.Medium));
            Assert.True(outcome.Hits.Count(h => h.Item.Label == outcome.QueryLabel) >= 4, log.ToString());
            Assert.True(File.Exists(Path.Combine(work, "items.cmidx")));
            Assert.Contains("test mAP image → text", log.ToString());
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }
}
