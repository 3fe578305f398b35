using CrossMedia.Models;
using CrossMedia.Data;
using CrossMedia.Models.FgCrossNet;
using CrossMedia.Tests.Torch;
using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

/// <summary>
/// FGCrossNet checkpoints in the library: a run stopped after stage 1 and resumed with the same
/// settings continues exactly as the uninterrupted run (through the stage-2 restart from the selected
/// network), and a resume under settings that change training is refused with an
/// <see cref="InputException"/> that names the differing settings. Tiny: images and texts of 3 classes,
/// ResNet-18 at 32 px, 2 steps an epoch. (The CLI, SIGKILL and all four media: FgCrossNetCrashResumeTests.)
/// Runs alone: initialisation draws from libtorch's process-wide generator, which a torch test running
/// beside it would advance between the seeding and the draws (and this one would disturb that test).
/// </summary>
[Collection(nameof(TorchRuntimeTests))]
public sealed class FgCrossNetResumeTests : IDisposable
{
    private const string Spec = "synthetic-media:classes=3,train=2,val=1,test=1,image=32,media=image+text";

    private static readonly FgCrossNetConfig Config = new("resnet18", 0, 32, 36, 2, null, false, []);

    private static readonly FgCrossNetTrainingOptions Options = new()
    {
        Stage1Epochs = 1, Stage2Epochs = 1, BatchSize = 4, LearningRate = 0.002, Workers = 1, Seed = 3,
    };

    private readonly string root = Directory.CreateTempSubdirectory("fgcrossnet-resume").FullName;

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    private Dataset Data(string spec = Spec, double valFraction = 0.1) =>
        DatasetCatalog.Load(spec, new DatasetLoadOptions { DataRoot = Path.Combine(root, "data"), ValFraction = valFraction });

    private string Checkpoints(string name) => Path.Combine(root, name);

    [Fact]
    public void Resume_Should_ContinueExactlyAsTheUninterruptedRun_When_SettingsAreTheSame()
    {
        var data = Data();
        var straight = new FgCrossNetTrainer(Options).Train(data, Config, Checkpoints("straight"));

        // Stop after stage 1; resume with stage 2 added and different workers, cache and cadence (none shapes training).
        new FgCrossNetTrainer(Options with { Stage2Epochs = 0 }).Train(data, Config, Checkpoints("resumed"));
        var progress = new RecordingProgress();
        var resumedOptions = Options with { Workers = 2, CheckpointEvery = 2, DecodeCache = Path.Combine(root, "cache") };
        var resumed = new FgCrossNetTrainer(resumedOptions, progress: progress).Train(data, Config, Checkpoints("resumed"), resume: true);

        Assert.Contains(progress.Messages, m => m.StartsWith("resumed from", StringComparison.Ordinal) && m.EndsWith("after epoch 1", StringComparison.Ordinal));
        Assert.Equal([2], progress.Epochs.Select(e => e.Epoch));
        Assert.Equal(2, straight.History.Count);
        Assert.Equal(straight.History.Count, resumed.History.Count);
        for (int i = 0; i < straight.History.Count; i++)
        {
            Assert.Equal(straight.History[i].Losses, resumed.History[i].Losses);
            Assert.Equal(straight.History[i].ValidationMap, resumed.History[i].ValidationMap);
            Assert.Equal(straight.History[i].PostProcessing, resumed.History[i].PostProcessing);
        }
        Assert.True(straight.History[1].Losses.ContainsKey("ranking"), "epoch 2 is not a stage-2 epoch");
        Assert.Equal(straight.SelectedEpoch, resumed.SelectedEpoch);
        Assert.Equal(straight.ValidationMap, resumed.ValidationMap);

        using (straight.Model)
        using (resumed.Model)
        {
            var images = data["image"].Select(Split.Test);
            Assert.Equal(straight.Model.Embed(images).Data, resumed.Model.Embed(images).Data);
        }
    }

    [Fact]
    public void Resume_Should_RefuseNamingTheSetting_When_ASettingThatShapesTrainingChanged()
    {
        var data = Data();
        var once = Options with { Stage2Epochs = 0 };
        new FgCrossNetTrainer(once).Train(data, Config, Checkpoints("run"));
        var checkpoint = new CheckpointStore(Checkpoints("run")).Latest()!;

        InputException Refused(FgCrossNetTrainingOptions options, FgCrossNetConfig config, Dataset dataset) =>
            Assert.Throws<InputException>(() => new FgCrossNetTrainer(options).Train(dataset, config, Checkpoints("run"), resume: true));

        var lr = Refused(once with { LearningRate = 0.004 }, Config, data);
        Assert.Equal(checkpoint, lr.Location);
        Assert.Equal("training options", lr.Field);
        Assert.Equal("lr=0.002 as when the checkpoint was written", lr.Expected);
        Assert.Equal("lr=0.004", lr.Found);

        // Input size changes the network's shape: refused by name before any tensor is loaded.
        var size = Refused(once, Config with { InputSize = 48, ResizeSize = 54 }, data);
        Assert.Equal("input-size=32, resize-size=36 as when the checkpoint was written", size.Expected);
        Assert.Equal("input-size=48, resize-size=54", size.Found);

        Assert.Equal("stage1-epochs=2", Refused(once with { Stage1Epochs = 2 }, Config, data).Found);
        Assert.Equal("seed=4", Refused(once with { Seed = 4 }, Config, data).Found);

        // Other data: fewer media; other items of the same classes; more classes.
        var media = Refused(once, Config, Data(Spec.Replace("media=image+text", "media=image", StringComparison.Ordinal)));
        Assert.StartsWith("media=image, items=image 6+3 #", media.Found, StringComparison.Ordinal);
        var items = Refused(once, Config, Data(Spec.Replace("train=2", "train=3", StringComparison.Ordinal)));
        Assert.StartsWith("items=image 9+3 text 9+3 #", items.Found, StringComparison.Ordinal);
        var classes = Refused(once, Config, Data(Spec.Replace("classes=3", "classes=4", StringComparison.Ordinal)));
        Assert.StartsWith("classes=4, items=", classes.Found, StringComparison.Ordinal);
        Assert.Contains("classes=3", classes.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_Should_Work_When_ThereIsNoValidationData()
    {
        // Without validation the best score stays −∞, which plain JSON cannot hold.
        var data = Data(Spec.Replace("val=1", "val=0", StringComparison.Ordinal), valFraction: 0);
        new FgCrossNetTrainer(Options with { Stage2Epochs = 0 }).Train(data, Config, Checkpoints("noval"));
        var resumed = new FgCrossNetTrainer(Options).Train(data, Config, Checkpoints("noval"), resume: true);
        using (resumed.Model)
        {
            Assert.Equal([1, 2], resumed.History.Select(e => e.Epoch));
            Assert.Equal(2, resumed.SelectedEpoch);
            Assert.True(double.IsNaN(resumed.ValidationMap));
        }
    }
}
