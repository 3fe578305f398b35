using System.Diagnostics;
using CrossMedia.Evaluation;
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

    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CrossMedia.Cli.dll"));
        foreach (var a in Common.Concat(args)) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private void RunToEnd(params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "the CLI did not finish");
        output.WriteLine(stdout.Result);
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {stderr.Result}");
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

            using (var victim = Start("--out", crashed))
            {
                _ = victim.StandardOutput.ReadToEndAsync();
                _ = victim.StandardError.ReadToEndAsync();
                var pointer = Path.Combine(crashed, "checkpoints", "latest.json");
                var clock = Stopwatch.StartNew();
                while (!File.Exists(pointer) && !victim.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
                Assert.False(victim.HasExited, "the run finished before it could be killed");
                victim.Kill(); // SIGKILL on Linux: no clean-up code runs
                victim.WaitForExit();
            }
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
