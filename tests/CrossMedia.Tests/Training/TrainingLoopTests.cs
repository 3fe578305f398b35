using System.Text.Json.Nodes;
using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

/// <summary>
/// The shared selection loop with a scripted method (no networks): keep-best never picks a degenerate
/// validation while a real one exists and says so, patience stops, and an interrupted run resumes exactly,
/// also from a checkpoint in the format FGCrossNet wrote before the loop was shared.
/// </summary>
public sealed class TrainingLoopTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("training-loop").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>Validation scores scripted per epoch; "weights" are the epoch's own number, so the best state shows which epoch was kept.</summary>
    private sealed class Scripted((double Map, bool Degenerate)[] validation, bool canValidate = true) : IEpochTrainer
    {
        public int Current, Best, Prepared;
        public List<int> Draws { get; } = [];
        public string Name => "scripted";
        public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string> { ["lr"] = "1" };
        public (int BatchesPerEpoch, bool CanValidate) Prepare(CancellationToken cancel) { Prepared++; return (2, canValidate); }

        public EpochOutcome RunEpoch(EpochContext epoch, Action<int, IReadOnlyDictionary<string, double>> batchDone, CancellationToken cancel)
        {
            Current = epoch.Epoch;
            Draws.Add(epoch.RandomOf(1).Next());
            batchDone(1, new Dictionary<string, double>());
            batchDone(2, new Dictionary<string, double>());
            return new EpochOutcome(new Dictionary<string, double> { ["loss"] = 1.0 / epoch.Epoch }, 0.5);
        }

        public ValidationOutcome Validate(int epoch) =>
            canValidate ? new ValidationOutcome(validation[epoch - 1].Map, validation[epoch - 1].Degenerate, "raw", "in 1 of 2 directions") : new ValidationOutcome(null);

        public void KeepBest() => Best = Current;
        public void SaveState(string dir) => File.WriteAllText(Path.Combine(dir, "weights.txt"), $"{Current} {Best}");

        public void LoadState(string dir)
        {
            var parts = File.ReadAllText(Path.Combine(dir, "weights.txt")).Split(' ');
            (Current, Best) = (int.Parse(parts[0]), int.Parse(parts[1]));
        }
    }

    private static LoopSchedule Schedule(int epochs, int patience = 0, int checkpointEvery = 0) => new(epochs, 1, patience, checkpointEvery, Seed: 7);

    private static TrainingOutcome Run(Scripted method, LoopSchedule schedule, RecordingProgress progress, CheckpointStore? store = null, bool resume = false,
        CancellationToken cancel = default) => TrainingLoop.Run(method, schedule, store, resume, progress, cancel);

    [Fact]
    public void Loop_Should_NeverSelectADegenerateEpoch_WhileARealOneExists_AndSaySo()
    {
        // Epoch 2's tied ranking scores highest; the real epoch 1 stays selected.
        var method = new Scripted([(0.39, false), (0.41, true), (0.38, false)]);
        var progress = new RecordingProgress();
        var outcome = Run(method, Schedule(3), progress);
        Assert.Equal(1, outcome.SelectedEpoch);
        Assert.Equal(1, method.Best);
        Assert.Equal(0.39, outcome.ValidationMap);
        Assert.Contains(progress.Messages, m => m.StartsWith("epoch 2: validation mAP 0.4100 is degenerate", StringComparison.Ordinal)
            && m.Contains("(in 1 of 2 directions)", StringComparison.Ordinal) && m.EndsWith("not selected, epoch 1 stays", StringComparison.Ordinal));

        // Degenerate first: selected only until a real ranking comes, even a lower one.
        method = new Scripted([(0.41, true), (0.30, false), (0.29, false)]);
        progress = new RecordingProgress();
        outcome = Run(method, Schedule(3), progress);
        Assert.Equal(2, outcome.SelectedEpoch);
        Assert.False(outcome.State.BestDegenerate);
        Assert.Contains(progress.Messages, m => m.StartsWith("epoch 1:", StringComparison.Ordinal) && m.EndsWith("selected only until an epoch ranks for real", StringComparison.Ordinal));
        Assert.DoesNotContain(progress.Messages, m => m.StartsWith("every validation was degenerate", StringComparison.Ordinal));

        // Nothing real: the best degenerate one, said at the end.
        progress = new RecordingProgress();
        outcome = Run(new Scripted([(0.40, true), (0.41, true)]), Schedule(2), progress);
        Assert.Equal(2, outcome.SelectedEpoch);
        Assert.Contains(progress.Messages, m => m.StartsWith("every validation was degenerate", StringComparison.Ordinal) && m.Contains("epoch 2 is no real result", StringComparison.Ordinal));
    }

    [Fact]
    public void Loop_Should_StopAfterPatienceValidationsWithoutImprovement()
    {
        var progress = new RecordingProgress();
        var outcome = Run(new Scripted([(0.5, false), (0.5, false), (0.4, false), (0.9, false)]), Schedule(4, patience: 2), progress);
        Assert.True(outcome.StoppedEarly);
        Assert.Equal(3, outcome.EpochsRun);
        Assert.Equal(1, outcome.SelectedEpoch);
        Assert.Equal(TimeSpan.Zero, progress.Etas[^1]);
    }

    [Fact]
    public void Loop_Should_SelectTheLastEpoch_WithoutValidationData()
    {
        var method = new Scripted([], canValidate: false);
        var outcome = Run(method, Schedule(3, patience: 1), new RecordingProgress());
        Assert.Equal(3, outcome.SelectedEpoch);
        Assert.Equal(3, method.Best);
        Assert.True(double.IsNaN(outcome.ValidationMap));
        Assert.All(outcome.History, h => Assert.Null(h.ValidationMap));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the checkpoint rewritten as FGCrossNet wrote state.json before the loop was shared
    public void Resume_Should_ContinueExactlyAsTheUninterruptedRun(bool olderFormat)
    {
        (double, bool)[] scores = [(0.3, false), (0.5, false), (0.4, false), (0.6, true), (0.45, false)];
        var straight = new Scripted(scores);
        var whole = Run(straight, Schedule(5, checkpointEvery: 1), new RecordingProgress(), new CheckpointStore(Path.Combine(_dir, "a")));

        var store = new CheckpointStore(Path.Combine(_dir, "b"));
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Run(new Scripted(scores), Schedule(5, checkpointEvery: 1), new RecordingProgress(cts, 3), store, cancel: cts.Token));
        if (olderFormat) RewriteAsOlderFgCrossNetState(store.Latest()!);

        var resumed = new Scripted(scores);
        var progress = new RecordingProgress();
        var outcome = Run(resumed, Schedule(5, checkpointEvery: 1), progress, store, resume: true);
        Assert.Equal([(4, 5, 2)], progress.Starts);
        Assert.Equal(0.5, progress.BestAtStart.Single());
        Assert.Equal(whole.History.Select(h => (h.Epoch, h.ValidationMap, h.PostProcessing, h.Losses["loss"])),
            outcome.History.Select(h => (h.Epoch, h.ValidationMap, h.PostProcessing, h.Losses["loss"])));
        Assert.Equal((whole.SelectedEpoch, whole.ValidationMap), (outcome.SelectedEpoch, outcome.ValidationMap));
        Assert.Equal(olderFormat ? null : "raw", outcome.State.BestChoice); // FGCrossNet chose nothing beside the epoch
        Assert.Equal(straight.Best, resumed.Best);
        Assert.Equal(straight.Draws.Skip(3), resumed.Draws); // the epochs' random streams depend on (seed, epoch) only

        // Other settings are refused before the method reads its data.
        var other = new Scripted(scores) { Settings = new Dictionary<string, string> { ["lr"] = "2" } };
        var e = Assert.Throws<InputException>(() => Run(other, Schedule(6), new RecordingProgress(), store, resume: true));
        Assert.Equal("lr=1 as when the checkpoint was written", e.Expected);
        Assert.Equal(0, other.Prepared);
    }

    /// <summary>PascalCase names, −∞ as the best score before a validation, no checksums (as FGCrossNet's checkpoints were).</summary>
    private static void RewriteAsOlderFgCrossNetState(string checkpoint)
    {
        var path = Path.Combine(checkpoint, TrainingLoop.StateFile);
        var state = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var older = new JsonObject
        {
            ["Epoch"] = state["epoch"]!.GetValue<int>(),
            ["BestEpoch"] = state["best_epoch"]!.GetValue<int>(),
            ["BestScore"] = state["best_score"]!.GetValue<double>(),
            ["BestDegenerate"] = state["best_degenerate"]!.GetValue<bool>(),
            ["Settings"] = state["settings"]!.DeepClone(),
            ["History"] = state["history"]!.DeepClone(),
        };
        File.WriteAllText(path, older.ToJsonString());
        File.Delete(Path.Combine(checkpoint, CrossMedia.Core.FileChecksums.FileName));
    }
}
