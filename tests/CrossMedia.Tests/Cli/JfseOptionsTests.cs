using CrossMedia.Evaluation;

namespace CrossMedia.Tests.Cli;

/// <summary>Every JFSE setting the spec calls configurable reaches the trainer from the command line.</summary>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class JfseOptionsTests
{
    private static readonly string[] Common =
    [
        "train", "--method", "jfse", "--dataset", "synthetic:classes=6,train=24,test=10", "--scenario", "zsl",
        "--epochs", "2", "--hidden", "16", "--batch-size", "16", "--critic-steps", "1", "--threads", "1", "--checkpoint-every", "0",
    ];

    [Fact]
    public void Train_Should_PassNoiseDimensionAdamBetasAndUnseenSamplesPerBatch()
    {
        var dir = Directory.CreateTempSubdirectory("jfse-options").FullName;
        try
        {
            var (code, _, err) = CliHarness.Run([.. Common, "--noise-dim", "8", "--adam-betas", "0.9, 0.99", "--unseen-per-batch", "4", "--out", dir]);
            Assert.True(code == 0, err);
            var jfse = RunRecord.Load(Path.Combine(dir, "metrics.json")).Config["jfse"]!;
            Assert.Equal(8, jfse["noise_dimension"]!.GetValue<int>());
            Assert.Equal(0.9, jfse["beta1"]!.GetValue<double>());
            Assert.Equal(0.99, jfse["beta2"]!.GetValue<double>());
            Assert.Equal(4, jfse["unseen_samples_per_batch"]!.GetValue<int>());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("--adam-betas", "0.5", "two numbers separated by a comma")]
    [InlineData("--adam-betas", "0.5,1", "β1 and β2 in [0, 1)")]
    [InlineData("--unseen-per-batch", "-1", "unseen-per-batch")]
    public void Train_Should_RefuseBadJfseSettingsWithOneLine(string option, string value, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("jfse-bad").FullName;
        try
        {
            var (code, _, err) = CliHarness.Run([.. Common, option, value, "--out", dir]);
            Assert.Equal(2, code);
            Assert.Contains(expected, err);
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
