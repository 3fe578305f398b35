using CrossMedia.Models;
using CrossMedia.Data;
using CrossMedia.Data.Formats;
using CrossMedia.Torch;
using CrossMedia.Training;

namespace CrossMedia.Tests.Cli;

public class EmbedCommandTests
{
    private const string Spec = "synthetic:classes=4,train=12,test=6";

    [Fact]
    public void Embed_Should_WriteTheModelsEmbeddingsAndLabelsOfTheSplit()
    {
        TorchRuntime.Initialize(1);
        var data = DatasetCatalog.Load(Spec, new DatasetLoadOptions { Seed = 1 });
        var dir = Directory.CreateTempSubdirectory("embed").FullName;
        try
        {
            using (var model = new JfseTrainer(new JfseTrainingOptions(Epochs: 1, Hidden: 16, NoiseDimension: 4, Seed: 1)).Train(data).Model)
            {
                model.Save(dir);
                var output = Path.Combine(dir, "e.npy");
                var (code, _, err) = CliHarness.Run("embed", "--model", dir, "--dataset", Spec, "--split", "test", "--medium", "text", "--out", output, "--threads", "1");
                Assert.True(code == 0, err);
                var expected = model.Embed(data["text"].Select(Split.Test));
                var written = NpyFile.Read(output);
                Assert.Equal(new long[] { expected.Rows, expected.Cols }, written.Shape.Select(s => (long)s));
                Assert.Equal(expected.Data, written.ToMatrix(output).Data);
                Assert.Equal(data["text"].Select(Split.Test).Labels, NpyFile.Read(Path.Combine(dir, "e.labels.npy")).ToLabels(output));
            }
            var (bad, _, error) = CliHarness.Run("embed", "--model", dir, "--dataset", Spec, "--medium", "audio", "--out", Path.Combine(dir, "x.npy"));
            Assert.Equal(2, bad);
            Assert.Contains("medium", error);
        }
        finally { Directory.Delete(dir, true); }
    }
}
