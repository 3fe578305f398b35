using CrossMedia.Data;
using CrossMedia.Models.FgCrossNet;
using CrossMedia.Tests.Torch;
using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

/// <summary>
/// Issue 12, item 4: FGCrossNet's long decode step is a phase named "decode" counted in files (it was an unnamed
/// bar labelled "jfse" at 0 %), and every batch reports the epoch's running losses for the live bar.
/// Runs alone: it seeds libtorch's process-wide generator.
/// </summary>
[Collection(nameof(TorchRuntimeTests))]
public sealed class TrainingProgressPhaseTests
{
    [Fact]
    public void FgCrossNet_Should_ReportItsDecodeStepAsANamedPhaseInFiles_AndRunningLossesPerBatch()
    {
        var root = Directory.CreateTempSubdirectory("fgcrossnet-phase").FullName;
        try
        {
            var data = DatasetCatalog.Load("synthetic-media:classes=3,train=2,val=1,test=1,image=32,media=image+text",
                new DatasetLoadOptions { DataRoot = root, ValFraction = 0.1 });
            var progress = new RecordingProgress();
            var options = new FgCrossNetTrainingOptions { Stage1Epochs = 1, Stage2Epochs = 0, BatchSize = 4, Workers = 1, Seed = 3, CheckpointEvery = 0 };
            new FgCrossNetTrainer(options, progress: progress).Train(data, new FgCrossNetConfig("resnet18", 0, 32, 36, 2, null, false, []));

            long files = data.Media.Sum(m => m.RowsOf(Split.Train).Length + m.RowsOf(Split.Val).Length);
            Assert.NotEmpty(progress.Phases);
            Assert.All(progress.Phases, p => Assert.Equal(("decode", files, "files"), (p.Phase, p.Total, p.Unit)));
            Assert.Equal(files, progress.Phases[^1].Done);
            Assert.Equal(progress.Phases.Select(p => p.Done).Order(), progress.Phases.Select(p => p.Done));
            Assert.Equal(progress.Batches, progress.RunningLosses.Count);
            // The last batch's running means are the epoch's losses.
            var epoch = Assert.Single(progress.Epochs);
            Assert.Equal(epoch.Losses.Keys.Order(), progress.RunningLosses[^1].Keys.Order());
            foreach (var (name, value) in epoch.Losses) Assert.Equal(value, progress.RunningLosses[^1][name], 12);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
