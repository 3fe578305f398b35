using System.Text.Json.Nodes;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Models.FgCrossNet;
using CrossMedia.Tests.Torch;
using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

/// <summary>
/// A whole run as a library call (<see cref="TrainingRun"/>): metrics.json and the artefacts, and a run
/// interrupted mid-way that resumes through the shared loop — in its own folder or another — ends with
/// the uninterrupted run's results, for JFSE and FGCrossNet alike.
/// </summary>
[Collection(nameof(TorchRuntimeTests))]
public sealed class TrainingRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("training-run").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    private string Dir(string name) => Path.Combine(_root, name);

    /// <summary>history.json without the wall times (the only field allowed to differ).</summary>
    private static string History(string dir)
    {
        var history = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "history.json")))!.AsArray();
        foreach (var epoch in history) epoch!.AsObject().Remove("seconds");
        return history.ToJsonString();
    }

    private void AssertInterruptedRunResumesExactly(Dataset data, TrainingMethod method, int epochs)
    {
        TrainingRunOptions Options(string dir) => new(data, method, dir) { Seed = 3, Threads = 1 };
        var straight = TrainingRun.Run(Options(Dir("straight")));

        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => TrainingRun.Run(Options(Dir("stopped")), new RecordingProgress(cts, 1), cts.Token));
        Assert.False(File.Exists(Path.Combine(Dir("stopped"), TrainingRun.MetricsFile)));

        // Another folder first: resuming in its own folder continues the stopped run's checkpoints to the end.
        foreach (var (dir, name) in new[] { (Dir("elsewhere"), "in another folder"), (Dir("stopped"), "in its own folder") })
        {
            var progress = new RecordingProgress();
            var resumed = TrainingRun.Run(Options(dir) with { ResumeFrom = Dir("stopped") }, progress);
            Assert.True(progress.Starts.Single().Start == 2, name);
            Assert.Equal(straight.Results, resumed.Results);
            Assert.Equal(straight.Notes["selected_epoch"]!.GetValue<int>(), resumed.Notes["selected_epoch"]!.GetValue<int>());
            Assert.Equal(epochs, resumed.Notes["epochs_run"]!.GetValue<int>());
            Assert.Equal(History(Dir("straight")), History(dir));
            Assert.True(File.Exists(Path.Combine(dir, "training.png")), name);
            Assert.Equal(straight.Results, RunRecord.Load(Path.Combine(dir, TrainingRun.MetricsFile)).Results);
        }
    }

    [Fact]
    public void Jfse_Should_ResumeThroughTheSharedLoop_AsTheUninterruptedRun()
    {
        var data = JfseTestData.Build(classes: 6, perClass: 10, dimV: 12, dimT: 8, dimC: 6);
        AssertInterruptedRunResumesExactly(data, new JfseMethod(new JfseTrainingOptions(Epochs: 3, Hidden: 16, NoiseDimension: 4, BatchSize: 16,
            LearningRate: 1e-3, EvalEvery: 1, CheckpointEvery: 1)), epochs: 3);
    }

    [Fact]
    public void FgCrossNet_Should_ResumeThroughTheSharedLoop_AsTheUninterruptedRun()
    {
        var data = DatasetCatalog.Load("synthetic-media:classes=3,train=2,val=1,test=1,image=32,media=image+text",
            new DatasetLoadOptions { DataRoot = Dir("data"), Seed = 3 });
        AssertInterruptedRunResumesExactly(data, new FgCrossNetMethod(new FgCrossNetConfig("resnet18", 0, 32, 36, 2, null, false, []),
            new FgCrossNetTrainingOptions { Stage1Epochs = 1, Stage2Epochs = 1, BatchSize = 4, LearningRate = 0.002, Workers = 1 }), epochs: 2);
    }

    [Fact]
    public void Cca_Should_WriteMetricsAndTheModel_AndWarnThroughTheProgressSink()
    {
        var data = DatasetCatalog.Load("synthetic:classes=4,train=10,test=4", new DatasetLoadOptions { Seed = 1 });
        var progress = new RecordingProgress();
        var record = TrainingRun.Run(new TrainingRunOptions(data, new CcaMethod(new CcaSearch(Regularisation: 1e4, Dimensions: 0, CorrelationPower: 0)), Dir("cca")) { Threads = 1 }, progress);
        Assert.Equal("cca", record.Method);
        Assert.Contains(record.Results, r => r is { Split: Split.Test, Query: "image", Gallery: "text" });
        Assert.True(File.Exists(Path.Combine(Dir("cca"), "model.json")));
        Assert.Equal(record.Results, RunRecord.Load(Path.Combine(Dir("cca"), TrainingRun.MetricsFile)).Results);
        var warnings = record.Notes["cca_warnings"]!.AsArray().Select(w => w!.GetValue<string>()).ToArray();
        Assert.Equal(warnings.Select(w => $"warning: {w}"), progress.Messages.Where(m => m.StartsWith("warning: ", StringComparison.Ordinal)));
    }
}
