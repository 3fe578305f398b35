using CrossMedia.Data;
using CrossMedia.Models;
using CrossMedia.Models.Jfse;
using CrossMedia.Torch;
using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class JfseTrainerTests
{
    public JfseTrainerTests()
    {
        // One thread: on a shared 2-core machine OpenMP with 2 threads is several times slower.
        TorchRuntime.Initialize(1);
    }

    /// <summary>A small JFSE (hidden 128) with a larger learning rate so a few epochs suffice.</summary>
    private static JfseTrainingOptions Small(int epochs = 30) =>
        new(Epochs: epochs, Hidden: 128, NoiseDimension: 16, LearningRate: 1e-3, EvalEvery: 2, Seed: 3);

    private static Dataset Data() => JfseTestData.Build(classes: 20, perClass: 24, dimC: 8);

    [Fact]
    public void Train_Should_RejectUnseenClassItemsInTrainingData()
    {
        var data = Data();
        Assert.Throws<InputException>(() => new JfseTrainer(Small(1)).Train(data, new HashSet<int> { 0 }));
    }

    [Fact]
    public void Train_Should_SelectTheBestValidationEpochAndReportProgress()
    {
        var progress = new RecordingProgress();
        var result = new JfseTrainer(Small(6) with { EvalEvery = 2 }, progress: progress).Train(Data());
        using var model = result.Model;
        Assert.Equal([(1, 6, progress.Batches / 6)], progress.Starts);
        Assert.Equal([1, 2, 3, 4, 5, 6], progress.Epochs.Select(e => e.Epoch));
        // Validation on even epochs only; the selection is the best of them, with its post-processing.
        Assert.All(progress.Epochs, e => Assert.Equal(e.Epoch % 2 == 0, e.ValidationMap.HasValue));
        var best = progress.Epochs.Where(e => e.ValidationMap.HasValue).MaxBy(e => e.ValidationMap!.Value)!;
        Assert.Equal(best.Epoch, result.SelectedEpoch);
        Assert.Equal(best.ValidationMap!.Value, result.ValidationMap, 12);
        Assert.Equal(best.PostProcessing, result.SelectedPostProcessing.ToString().ToLowerInvariant());
        Assert.Null(result.TestSelectedMap);
        Assert.All(progress.Epochs, e => Assert.Contains("critic", e.Losses.Keys));
        Assert.All(progress.Etas, eta => Assert.NotNull(eta));
        Assert.Equal(TimeSpan.Zero, progress.Etas[^1]);
        Assert.Equal(progress.Epochs, result.History);
    }

    [Fact]
    public void Train_Should_StopEarlyWhenValidationStopsImproving()
    {
        // A negligible learning rate: the ranking never changes after the first evaluation (ties are no
        // improvement), so patience 2 stops at epoch 3.
        var result = new JfseTrainer(Small(50) with { EvalEvery = 1, Patience = 2, LearningRate = 1e-12 }).Train(Data());
        using var model = result.Model;
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.EpochsRun);
        Assert.Equal(1, result.SelectedEpoch);
    }

    [Fact]
    public void Resume_Should_ContinueExactlyWhereTheInterruptedRunStopped()
    {
        var data = Data();
        var options = Small(6) with { CheckpointEvery = 2 };
        var dirA = Directory.CreateTempSubdirectory("jfse-ck-a").FullName;
        var dirB = Directory.CreateTempSubdirectory("jfse-ck-b").FullName;
        try
        {
            var straight = new JfseTrainer(options).Train(data, checkpointDirectory: dirA);
            using var straightModel = straight.Model;

            // Interrupted after epoch 3: the checkpoint of epoch 2 is the newest; epoch 3's work is lost.
            using var cts = new CancellationTokenSource();
            var first = new RecordingProgress(cts, 3);
            Assert.ThrowsAny<OperationCanceledException>(() => new JfseTrainer(options, progress: first).Train(data, checkpointDirectory: dirB, cancel: cts.Token));
            Assert.EndsWith("epoch-000002", new CheckpointStore(dirB).Latest());

            var second = new RecordingProgress();
            var resumed = new JfseTrainer(options, progress: second).Train(data, checkpointDirectory: dirB, resume: true);
            using var resumedModel = resumed.Model;
            Assert.Equal(3, second.Starts.Single().Start);
            // The resumed run's progress starts from the best validation mAP of epochs 1–2 (evaluated at epoch 2).
            Assert.Equal(first.Epochs.Where(e => e.Epoch <= 2).Max(e => e.ValidationMap), second.BestAtStart.Single());
            Assert.Null(first.BestAtStart.Single());
            Assert.Equal(straight.SelectedEpoch, resumed.SelectedEpoch);
            Assert.Equal(straight.ValidationMap, resumed.ValidationMap);
            Assert.Equal(straight.History.Select(h => h.Losses["critic"]), resumed.History.Select(h => h.Losses["critic"]));
            var test = data.Select(Split.Test);
            Assert.Equal(straightModel.Embed(test["image"]).Data, resumedModel.Embed(test["image"]).Data);
            Assert.Equal(straightModel.Embed(test["text"]).Data, resumedModel.Embed(test["text"]).Data);
            // Resuming with settings that change the computation is refused.
            var seed = Assert.Throws<InputException>(() => new JfseTrainer(options with { Seed = 99 }).Train(data, checkpointDirectory: dirB, resume: true));
            Assert.Contains("expected seed=3 as when the checkpoint was written, found seed=99", seed.Message);
        }
        finally
        {
            Directory.Delete(dirA, true);
            Directory.Delete(dirB, true);
        }
    }

    [Fact]
    public void Resume_Should_RefuseNamingEachSettingThatChanged_IncludingTheDataAndTheOlderOptionsString()
    {
        var data = Data();
        var options = Small(2) with { CheckpointEvery = 2 };
        var dir = Directory.CreateTempSubdirectory("jfse-settings").FullName;
        try
        {
            using (new JfseTrainer(options).Train(data, checkpointDirectory: dir).Model) { }
            Resume(options).Dispose(); // same settings (and a longer run) resume
            Resume(options with { Epochs = 3, Patience = 1, CheckpointEvery = 3 }).Dispose();

            var lr = Assert.Throws<InputException>(() => Resume(options with { LearningRate = 2e-3, Alignment = CrossMedia.Models.Losses.AlignmentScheme.Cmmd }));
            Assert.Equal("training options", lr.Field);
            Assert.Contains("expected learning_rate=0.001, alignment=cmpm as when the checkpoint was written, found learning_rate=0.002, alignment=cmmd", lr.Message);
            var weight = Assert.Throws<InputException>(() => Resume(options with { Weights = JfseLossWeights.Reference with { RegressorCycleSynthetic = 1 } }));
            Assert.Contains("weights.regressor_cycle_synthetic=0.01 as when", weight.Message);
            var fewer = JfseTestData.Build(classes: 20, perClass: 20, dimC: 8);
            Assert.Contains("items=image ", Assert.Throws<InputException>(() => Resume(options, fewer)).Message);

            // A checkpoint written before named settings holds the options as one string (and nothing on the data).
            var state = Path.Combine(new CheckpointStore(dir).Latest()!, "state.json");
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(state))!.AsObject();
            json.Remove("settings");
            json["fingerprint"] = System.Text.Json.JsonSerializer.Serialize(options with { Epochs = 0, Patience = 0, CheckpointEvery = 0, Weights = options.EffectiveWeights }, JfseModel.JsonOptions)
                .ReplaceLineEndings("").Replace(" ", "");
            File.WriteAllText(state, json.ToJsonString());
            File.Delete(Path.Combine(Path.GetDirectoryName(state)!, CrossMedia.Core.FileChecksums.FileName)); // those versions wrote no checksums either
            Assert.Contains("learning_rate=0.001 as when", Assert.Throws<InputException>(() => Resume(options with { LearningRate = 2e-3 })).Message);
            Resume(options).Dispose();
        }
        finally
        {
            Directory.Delete(dir, true);
        }

        JfseModel Resume(JfseTrainingOptions o, Dataset? other = null) =>
            new JfseTrainer(o).Train(other ?? data, checkpointDirectory: dir, resume: true).Model;
    }

    [Fact]
    public void PairAlignment_Should_BringEachItemsPartnerToTheTop_AndNeedPairedData()
    {
        // Paired items observe one latent (synthetic's default), so an item's own partner is findable.
        var data = SyntheticDataset.Create(new SyntheticDatasetOptions { Classes = 6, TrainPerClass = 40, TestPerClass = 20, Noise = 1 }, seed: 2);
        double PartnerAtTop(double pairWeight)
        {
            var options = Small(12) with { Weights = JfseLossWeights.Reference with { RegressorPairAlignment = pairWeight } };
            var result = new JfseTrainer(options).Train(data);
            using var model = result.Model;
            if (pairWeight > 0) Assert.All(result.History, h => Assert.True(h.Losses["pair_alignment_real"] > 0));
            var test = data.Select(Split.Test);
            var images = model.Embed(test["image"]);
            var texts = model.Embed(test["text"]);
            // Item-level recall@1: the text ranked first for each image is that image's own text.
            int hits = Enumerable.Range(0, images.Rows).Count(i =>
                Enumerable.Range(0, texts.Rows).MaxBy(j => Cosine(images.RowReadOnly(i), texts.RowReadOnly(j))) == i);
            return hits / (double)images.Rows;
        }
        double without = PartnerAtTop(0), with = PartnerAtTop(100);
        Assert.True(with > 2 * without + 0.05, $"partner recall@1 with the pair term {with:F3}, without {without:F3}");

        var unpaired = SyntheticDataset.Create(new SyntheticDatasetOptions { Classes = 6, TrainPerClass = 20, TestPerClass = 5, Paired = false }, seed: 2);
        var e = Assert.Throws<InputException>(() => new JfseTrainer(Small(1) with { Weights = JfseLossWeights.Reference with { RegressorPairAlignment = 1 } }).Train(unpaired));
        Assert.Equal("regressor_pair_alignment", e.Field);
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int k = 0; k < a.Length; k++) { dot += a[k] * b[k]; na += a[k] * a[k]; nb += b[k] * b[k]; }
        return dot / Math.Sqrt(na * nb + 1e-12);
    }

    [Fact]
    public void SaveAndLoad_Should_ReproduceEmbeddingsThroughModelStore()
    {
        var data = Data();
        var result = new JfseTrainer(Small(2)).Train(data);
        using var model = result.Model;
        var dir = Directory.CreateTempSubdirectory("jfse-model").FullName;
        try
        {
            model.Save(dir);
            using var loaded = ModelStore.Load(dir);
            Assert.Equal("jfse", loaded.Method);
            Assert.Equal(model.EmbeddingDimension, loaded.EmbeddingDimension);
            var test = data.Select(Split.Test);
            foreach (var medium in new[] { "image", "text" })
                Assert.Equal(model.Embed(test[medium]).Data, loaded.Embed(test[medium]).Data);
            Assert.Throws<InputException>(() => loaded.Embed(new Medium("audio", new Core.Matrix(1, 3), null, [0], [Split.Test])));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Train_Should_CheckpointSaveAndLoadEveryMedium_OfAThreeMediaModel()
    {
        var data = DatasetCatalog.Load("synthetic:media=a+b+c,dims=12+8+6,classes=4,train=12,test=6", new DatasetLoadOptions { Seed = 1 });
        var options = Small(2) with { CheckpointEvery = 1 };
        var checkpoints = Directory.CreateTempSubdirectory("jfse-ck-3").FullName;
        var saved = Directory.CreateTempSubdirectory("jfse-model-3").FullName;
        try
        {
            using var model = new JfseTrainer(options).Train(data, checkpointDirectory: checkpoints).Model;
            Assert.Equal(["a", "b", "c"], model.Media.Select(m => m.Name));
            Assert.True(File.Exists(Path.Combine(new CheckpointStore(checkpoints).Latest()!, "best_regressor_2.bin")));
            // Resuming the finished run restores the selected regressors of all three media from the checkpoint.
            using var resumed = new JfseTrainer(options).Train(data, checkpointDirectory: checkpoints, resume: true).Model;
            model.Save(saved);
            Assert.True(File.Exists(Path.Combine(saved, "regressor_2.bin")));
            using var loaded = ModelStore.Load(saved);
            var test = data.Select(Split.Test);
            foreach (var medium in new[] { "a", "b", "c" })
            {
                Assert.Equal(model.Embed(test[medium]).Data, resumed.Embed(test[medium]).Data);
                Assert.Equal(model.Embed(test[medium]).Data, loaded.Embed(test[medium]).Data);
            }
        }
        finally
        {
            Directory.Delete(checkpoints, true);
            Directory.Delete(saved, true);
        }
    }

    [Fact]
    public void Load_Should_ReadATwoMediaModelSavedBeforeModelsHeldAnyNumberOfMedia()
    {
        var data = Data();
        using var model = new JfseTrainer(Small(1)).Train(data).Model;
        var dir = Directory.CreateTempSubdirectory("jfse-model-old").FullName;
        try
        {
            model.Save(dir);
            // The architecture as two-media models recorded it: "image_dimension" and "text_dimension".
            var path = Path.Combine(dir, ModelStore.ManifestFile);
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
            var architecture = json["architecture"]!.AsObject();
            var dims = architecture["medium_dimensions"]!.AsArray().Select(d => (int)d!).ToArray();
            architecture.Remove("medium_dimensions");
            architecture["image_dimension"] = dims[0];
            architecture["text_dimension"] = dims[1];
            File.WriteAllText(path, json.ToJsonString());
            Core.FileChecksums.Write(dir, [ModelStore.ManifestFile, "regressor_v.bin", "regressor_t.bin"]);
            using var loaded = ModelStore.Load(dir);
            var test = data.Select(Split.Test);
            foreach (var medium in new[] { "image", "text" })
                Assert.Equal(model.Embed(test[medium]).Data, loaded.Embed(test[medium]).Data);
        }
        finally { Directory.Delete(dir, true); }
    }
}
