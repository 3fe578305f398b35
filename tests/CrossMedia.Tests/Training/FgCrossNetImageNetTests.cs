using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Models;
using CrossMedia.Models.Backbones;
using CrossMedia.Models.FgCrossNet;
using CrossMedia.Tests.Cli;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Training;

/// <summary>`--backbone resnet18 --pretrained imagenet`: the ONNX ResNet-18 shipped with the build, fine-tuned and saved.</summary>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))] // the trainer seeds the global torch generator
public class FgCrossNetImageNetTests(ITestOutputHelper output)
{
    [Fact]
    public void Train_Should_StartFromTheOnnxImageNetWeights_AndLoadBack()
    {
        var root = Directory.CreateTempSubdirectory("fgcrossnet-imagenet").FullName;
        try
        {
            var outDir = Path.Combine(root, "out");
            var (code, stdout, stderr) = CliHarness.Run("train", "--method", "fgcrossnet", "--dataset", "synthetic-media:test=4",
                "--data-root", root, "--backbone", "resnet18", "--pretrained", "imagenet", "--input-size", "64", "--frames", "2",
                "--stage1-epochs", "1", "--stage2-epochs", "1", "--batch-size", "8", "--threads", "1", "--workers", "2", "--seed", "1", "--out", outDir);
            output.WriteLine(stdout);
            Assert.True(code == 0, stderr);
            var record = RunRecord.Load(Path.Combine(outDir, "metrics.json"));
            var report = record.Notes["pretrained"]!.ToString();
            Assert.Contains("111 tensors loaded, 0 skipped, 2 missing", report); // all but the 5-class classifier fc
            Assert.DoesNotContain(record.Results, r => !double.IsFinite(r.Map));

            using var model = ModelStore.Load(outDir);
            var fg = Assert.IsType<FgCrossNetModel>(model);
            Assert.Same(InputNormalization.Pixel255, fg.Network.Backbone.Normalization);
            Assert.Equal(BackboneOptions.ImageNet, fg.Config.Weights); // by name: the model moves between build outputs
            var data = DatasetCatalog.Load("synthetic-media:test=4", new DatasetLoadOptions { DataRoot = root });
            var image = data["image"].Select(Split.Test);
            var e = model.Embed(image);
            Assert.Equal(image.Count, e.Rows);
            Assert.True(Enumerable.Range(0, e.Rows).All(i => e.Row(i).ToArray().All(float.IsFinite)));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void ImageNet_Should_BeBadInput_ForAResNetWithoutShippedWeights()
    {
        var root = Directory.CreateTempSubdirectory("fgcrossnet-imagenet").FullName;
        try
        {
            var (code, _, stderr) = CliHarness.Run("train", "--method", "fgcrossnet", "--dataset", "synthetic-media:test=4",
                "--data-root", root, "--backbone", "resnet34", "--pretrained", "imagenet", "--out", Path.Combine(root, "out"));
            Assert.Equal(2, code);
            Assert.Contains("--pretrained", stderr);
            Assert.Contains("resnet18", stderr);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
