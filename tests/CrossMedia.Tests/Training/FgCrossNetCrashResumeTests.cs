using System.Text.Json.Nodes;
using CrossMedia.Evaluation;
using CrossMedia.Tests.Cli;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Training;

/// <summary>
/// Crash safety of `crossmedia train --method fgcrossnet` end to end: a run killed with SIGKILL in
/// stage 1 (after its first checkpoint, inside epoch 2) resumes from that checkpoint and ends with
/// exactly the metrics and the per-epoch losses and validation scores of an uninterrupted run with
/// the same seed; the resumed part restores the SGD momentum, batch-norm statistics, class centres,
/// the selected network (stage 2 restarts from it) and the epoch's random streams (shuffles, text
/// padding, video frame choice). A resume with another --lr is refused: exit 2, one line naming it.
/// The CLI runs as a child process (`dotnet CrossMedia.Cli.dll`, copied next to the tests); all four
/// synthetic media at 32 px, ResNet-18 from scratch, 3 epochs of 3 steps, one thread.
/// </summary>
public class FgCrossNetCrashResumeTests(ITestOutputHelper output)
{
    private static string[] Args(string root, string lr, params string[] more) =>
    [
        "train", "--method", "fgcrossnet", "--dataset", "synthetic-media:classes=3,train=3,val=1,test=1,image=32,video_size=32,frames=4,seconds=0.5",
        "--data-root", Path.Combine(root, "data"), "--decode-cache", Path.Combine(root, "cache"), "--backbone", "resnet18", "--input-size", "32",
        "--frames", "2", "--stage1-epochs", "2", "--stage2-epochs", "1", "--batch-size", "4", "--lr", lr, "--checkpoint-every", "1",
        "--threads", "1", "--workers", "1", "--seed", "3", .. more,
    ];

    private (int Code, string Out, string Err) Run(string[] args) => CliProcess.Run(args, output);

    /// <summary>history.json without the wall times (the only field allowed to differ).</summary>
    private static string HistoryWithoutTimes(string dir)
    {
        var history = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "history.json")))!.AsArray();
        foreach (var epoch in history) epoch!.AsObject().Remove("seconds");
        return history.ToJsonString();
    }

    [Fact]
    public void KilledRun_Should_ResumeFromCheckpointAndMatchTheUninterruptedRunExactly()
    {
        var root = Directory.CreateTempSubdirectory("fgcrossnet-crash").FullName;
        try
        {
            var straight = Path.Combine(root, "straight");
            var crashed = Path.Combine(root, "crashed");
            var first = Run(Args(root, "0.002", "--out", straight));
            Assert.True(first.Code == 0, first.Err);

            CliProcess.KillAfterFirstCheckpoint(Args(root, "0.002", "--out", crashed), crashed);
            Assert.False(File.Exists(Path.Combine(crashed, "metrics.json")), "the killed run got to write its metrics");
            var killedAfter = JsonNode.Parse(File.ReadAllText(Path.Combine(crashed, "checkpoints", "latest.json")))!["epoch"]!.GetValue<int>();
            Assert.True(killedAfter < 3, $"killed after the last epoch ({killedAfter})");

            var resumed = Run(Args(root, "0.002", "--out", crashed, "--resume", crashed));
            Assert.True(resumed.Code == 0, resumed.Err);
            Assert.Contains($"training epochs {killedAfter + 1}..3,", resumed.Out); // resumed, not restarted

            var a = RunRecord.Load(Path.Combine(straight, "metrics.json"));
            var b = RunRecord.Load(Path.Combine(crashed, "metrics.json"));
            Assert.Equal(32, a.Results.Count); // val and test: 12 bi-modal + 4 X → all each
            Assert.Equal(a.Results, b.Results);
            Assert.Equal(a.Notes["selected_epoch"]!.GetValue<int>(), b.Notes["selected_epoch"]!.GetValue<int>());
            Assert.Equal(a.Notes["validation_map_selected"]!.GetValue<double>(), b.Notes["validation_map_selected"]!.GetValue<double>());
            Assert.Equal(HistoryWithoutTimes(straight), HistoryWithoutTimes(crashed));
            Assert.Contains("\"ranking\"", HistoryWithoutTimes(crashed));

            // The same checkpoint under another learning rate: refused before any training, one red line.
            var refused = Run(Args(root, "0.004", "--out", Path.Combine(root, "other"), "--resume", crashed));
            Assert.Equal(2, refused.Code);
            var line = Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Contains("training options: expected lr=0.002 as when the checkpoint was written, found lr=0.004", line);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
