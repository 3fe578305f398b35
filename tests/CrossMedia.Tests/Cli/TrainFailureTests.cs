namespace CrossMedia.Tests.Cli;

/// <summary>Training that fails at run time ends with one line and exit code 1, never a stack trace.</summary>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public sealed class TrainFailureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("train-fail").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void TrainJfse_Should_ReportDivergenceInOneLine_WithTheEpochAndAHint()
    {
        var (code, _, error) = CliHarness.Run("train", "--method", "jfse", "--dataset", "synthetic:classes=4,train=16,test=4",
            "--hidden", "16", "--epochs", "5", "--lr", "1e6", "--threads", "1", "--out", _dir);
        Assert.Equal(1, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Matches(@"^error: JFSE training diverged in epoch \d+ \(.+ not finite\); lower the learning rate \(--lr\)$", lines[0]);
        Assert.DoesNotContain("   at ", error);
    }
}
