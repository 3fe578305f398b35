using CrossMedia.Torch;
using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

/// <summary>A checkpoint is writable at any epoch, whatever the validation cadence, and resumes.</summary>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class JfseCheckpointCadenceTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)] // checkpoints at epochs 1 and 2 come before the first validation (epoch 3)
    [InlineData(3, 2)] // the newest checkpoint (epoch 2) has no best score yet
    [InlineData(2, 3)]
    public void Checkpoint_Should_BeWrittenAndResumed_WhateverTheValidationCadence(int evalEvery, int checkpointEvery)
    {
        TorchRuntime.Initialize(1);
        var data = JfseTestData.Build(classes: 6, perClass: 10, dimV: 12, dimT: 8, dimC: 6);
        var options = new JfseTrainingOptions(Epochs: 4, Hidden: 16, NoiseDimension: 4, BatchSize: 16, LearningRate: 1e-3,
            EvalEvery: evalEvery, CheckpointEvery: checkpointEvery, Seed: 3);
        var dir = Directory.CreateTempSubdirectory("jfse-cadence").FullName;
        try
        {
            using var cts = new CancellationTokenSource();
            var first = new RecordingProgress(cts, 3);
            Assert.ThrowsAny<OperationCanceledException>(() => new JfseTrainer(options, progress: first).Train(data, checkpointDirectory: dir, cancel: cts.Token));
            Assert.NotNull(new CheckpointStore(dir).Latest());

            var second = new RecordingProgress();
            var resumed = new JfseTrainer(options, progress: second).Train(data, checkpointDirectory: dir, resume: true);
            using var model = resumed.Model;
            Assert.Equal(4, resumed.EpochsRun);
            Assert.True(double.IsFinite(resumed.ValidationMap));
            // Before any validation there is no best score yet: the resumed run starts without one.
            var validatedBeforeCheckpoint = first.Epochs.Any(e => e.ValidationMap is not null && e.Epoch <= second.Starts.Single().Start - 1);
            Assert.Equal(validatedBeforeCheckpoint, second.BestAtStart.Single() is not null);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("truncate-unchecked")] // a checkpoint written before checksums
    public void Resume_Should_RefuseADamagedWeightFile_InsteadOfLoadingIt(string damage)
    {
        TorchRuntime.Initialize(1);
        var data = JfseTestData.Build(classes: 6, perClass: 10, dimV: 12, dimT: 8, dimC: 6);
        var options = new JfseTrainingOptions(Epochs: 2, Hidden: 16, NoiseDimension: 4, BatchSize: 16, LearningRate: 1e-3,
            EvalEvery: 1, CheckpointEvery: 1, Seed: 3);
        var dir = Directory.CreateTempSubdirectory("jfse-damaged").FullName;
        try
        {
            using (new JfseTrainer(options with { Epochs = 1 }).Train(data, checkpointDirectory: dir).Model) { }
            var checkpoint = new CheckpointStore(dir).Latest()!;
            var weights = Directory.GetFiles(checkpoint, "*.bin").OrderByDescending(f => new FileInfo(f).Length).First();
            var bytes = File.ReadAllBytes(weights);
            if (damage == "flip") bytes[bytes.Length - 100] ^= 0x40; // inside the last tensor's data
            File.WriteAllBytes(weights, damage == "flip" ? bytes : bytes[..(bytes.Length / 2)]);
            if (damage == "truncate-unchecked") File.Delete(Path.Combine(checkpoint, CrossMedia.Core.FileChecksums.FileName));
            var e = Assert.Throws<InputException>(() => new JfseTrainer(options).Train(data, checkpointDirectory: dir, resume: true));
            Assert.StartsWith(weights + ": ", e.Message);
            Assert.Contains(damage == "flip" ? "checksum mismatch: the file is damaged" : "truncated", e.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ModelLoad_Should_RefuseABitFlippedWeightFile_AndLoadAnOlderModelWithoutChecksums()
    {
        TorchRuntime.Initialize(1);
        var data = JfseTestData.Build(classes: 6, perClass: 10, dimV: 12, dimT: 8, dimC: 6);
        var dir = Directory.CreateTempSubdirectory("jfse-model-damaged").FullName;
        try
        {
            using (var model = new JfseTrainer(new JfseTrainingOptions(Epochs: 1, Hidden: 16, NoiseDimension: 4, BatchSize: 16, Seed: 3)).Train(data).Model)
                model.Save(dir);
            using (CrossMedia.Models.ModelStore.Load(dir)) { }
            var weights = Path.Combine(dir, "regressor_v.bin");
            var bytes = File.ReadAllBytes(weights);
            bytes[^8] ^= 0x01;
            File.WriteAllBytes(weights, bytes);
            var e = Assert.Throws<InputException>(() => CrossMedia.Models.ModelStore.Load(dir));
            Assert.StartsWith(weights + ": checksum mismatch: the file is damaged", e.Message);
            File.Delete(Path.Combine(dir, CrossMedia.Core.FileChecksums.FileName)); // as written before checksums
            using (CrossMedia.Models.ModelStore.Load(dir)) { }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }


}
