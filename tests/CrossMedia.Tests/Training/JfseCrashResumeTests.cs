using CrossMedia.Evaluation;
using CrossMedia.Tests.Cli;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Training;

/// <summary>
/// Crash safety end to end: `crossmedia train --method jfse` killed with SIGKILL in the middle of
/// training resumes from its last checkpoint and ends with the same metrics as an uninterrupted run.
/// The CLI runs as a child process (`dotnet CrossMedia.Cli.dll`, copied next to the tests).
/// </summary>
public class JfseCrashResumeTests(ITestOutputHelper output)
{
    private static readonly string[] Common =
    [
        "train", "--method", "jfse", "--dataset", "synthetic:classes=6,train=24,test=10", "--seed", "5",
        "--epochs", "8", "--hidden", "32", "--batch-size", "16", "--critic-steps", "2", "--lr", "1e-3",
        "--eval-every", "1", "--checkpoint-every", "1", "--threads", "1",
    ];

    private void RunToEnd(params string[] args)
    {
        var (code, _, err) = CliProcess.Run(Common.Concat(args), output);
        Assert.True(code == 0, $"exit {code}: {err}");
    }

    [Fact]
    public void KilledRun_Should_ResumeFromCheckpointAndMatchTheUninterruptedRun()
    {
        var root = Directory.CreateTempSubdirectory("jfse-crash").FullName;
        try
        {
            var straight = Path.Combine(root, "straight");
            var crashed = Path.Combine(root, "crashed");
            RunToEnd("--out", straight);

            CliProcess.KillAfterFirstCheckpoint(Common.Concat(["--out", crashed]), crashed);
            Assert.False(File.Exists(Path.Combine(crashed, "metrics.json")), "the killed run got to write its metrics");

            RunToEnd("--out", crashed, "--resume", crashed);

            var a = RunRecord.Load(Path.Combine(straight, "metrics.json"));
            var b = RunRecord.Load(Path.Combine(crashed, "metrics.json"));
            Assert.NotEmpty(a.Results);
            Assert.Equal(a.Results, b.Results);
            Assert.Equal(a.Notes["selected_epoch"]!.GetValue<int>(), b.Notes["selected_epoch"]!.GetValue<int>());
            Assert.Equal(File.ReadAllText(Path.Combine(straight, "history.json")).Split("\"seconds\"").Length,
                         File.ReadAllText(Path.Combine(crashed, "history.json")).Split("\"seconds\"").Length);
            Assert.True(File.Exists(Path.Combine(crashed, "training.png")));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
