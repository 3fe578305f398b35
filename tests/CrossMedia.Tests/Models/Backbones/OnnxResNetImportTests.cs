using CrossMedia.Models.Backbones;
using CrossMedia.Models.Weights;
using CrossMedia.Torch;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.Backbones;

/// <summary>The ImageNet ResNet-18 of NuGet's DnnImageFeaturizer package, imported into our ResNet, against ONNX Runtime.</summary>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class OnnxResNetImportTests
{
    private const string TuxPaintStamps = "/usr/share/tuxpaint/stamps";
    private static readonly string ModelPath = OnnxResNetImport.DefaultModelPath;
    private readonly ITestOutputHelper _output;

    public OnnxResNetImportTests(ITestOutputHelper output)
    {
        _output = output;
        TorchRuntime.Initialize(2);
    }

    [Fact]
    public void Build_Should_ShipBothOnnxFiles()
    {
        Assert.True(File.Exists(ModelPath), ModelPath);
        Assert.True(File.Exists(OnnxResNetImport.PreprocessPath(ModelPath)), OnnxResNetImport.PreprocessPath(ModelPath));
    }

    [Fact]
    public void Import_Should_LoadEveryConvAndBatchNorm_AndReportTheClassifierMissing()
    {
        using var net = (ResNet)BackboneRegistry.Create("resnet18", 10, new BackboneOptions(224, ModelPath), out var report);
        _output.WriteLine(report!.Summary);
        Assert.Equal(22 + 22 * 4 + 1, report.Loaded.Count); // 22 Conv, 22 BatchNorm (4 tensors each), the mean image
        Assert.Equal([2, 2, 2, 3], net.Config.Layers); // CNTK's ResNet-18: three blocks in the last stage
        Assert.Empty(report.Skipped);
        Assert.Equal(["fc.weight", "fc.bias"], report.Missing);
        Assert.Contains("layer4.0.downsample.1.running_var", report.Loaded);
        Assert.Contains("layer4.2.bn2.weight", report.Loaded);
        Assert.Contains(ResNet.MeanImageKey, report.Loaded);
        Assert.Same(InputNormalization.Pixel255, net.Normalization);
    }

    [Fact]
    public void SavedModelArchitecture_Should_CarryTheMeanImage_WithoutReadingTheWeights()
    {
        using var net = BackboneRegistry.Create("resnet18", 10, new BackboneOptions(224, ModelPath, LoadWeights: false), out var report);
        Assert.Null(report);
        Assert.Contains(net.named_buffers(), b => b.name == ResNet.MeanImageKey);
        using var plain = BackboneRegistry.Create("resnet18", 10, new BackboneOptions(224));
        Assert.DoesNotContain(plain.named_buffers(), b => b.name == ResNet.MeanImageKey);
        Assert.Same(InputNormalization.ImageNet, plain.Normalization);
    }

    [Fact]
    public void ShippedImageNet_Should_BeResNet18Only()
    {
        using var net = (ResNet)BackboneRegistry.Create("resnet18", 10, new BackboneOptions(224, BackboneOptions.ImageNet), out var report);
        Assert.Equal(111, report!.Loaded.Count);
        var e = Assert.Throws<InputException>(() => BackboneRegistry.Create("resnet34", 10, new BackboneOptions(224, BackboneOptions.ImageNet)));
        Assert.Contains("resnet18", e.Message);
    }

    [Fact]
    public void TruncatedFile_Should_BeAnInputException()
    {
        var dir = Directory.CreateTempSubdirectory("onnx-");
        try
        {
            var broken = Path.Combine(dir.FullName, "ResNet18.onnx");
            using (var source = File.OpenRead(ModelPath))
            {
                var head = new byte[4096];
                source.ReadExactly(head);
                File.WriteAllBytes(broken, head);
            }
            var e = Assert.Throws<InputException>(() => BackboneRegistry.Create("resnet18", 10, new BackboneOptions(224, broken)));
            Assert.Contains(broken, e.Message);
        }
        finally { dir.Delete(true); }
    }

    /// <summary>
    /// Our TorchSharp forward (pooled 512-d features, input as the pipeline normalises it) equals ONNX
    /// Runtime running ResNetPreprocess.onnx then ResNet18.onnx on the same RGB 0–255 pixels.
    /// </summary>
    [DarknetDataFact]
    public void Features_Should_EqualOnnxRuntime_OnRealPhotos()
    {
        var pictures = new[] { "dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "person.jpg" }
            .Select(p => Path.Combine(DarknetDataFactAttribute.DataDir, p)).ToList();
        if (Directory.Exists(TuxPaintStamps))
            pictures.AddRange(Directory.EnumerateFiles(TuxPaintStamps, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(3));

        using var net = (ResNet)BackboneRegistry.Create("resnet18", 1000, new BackboneOptions(224, ModelPath), out _);
        net.eval();
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        using var preprocess = new InferenceSession(OnnxResNetImport.PreprocessPath(ModelPath), options);
        using var resnet = new InferenceSession(ModelPath, options);

        var norm = net.Normalization;
        using var mean = tensor(norm.Mean).view(1, 3, 1, 1);
        using var std = tensor(norm.Std).view(1, 3, 1, 1);
        using var pixelScale = tensor(255f);
        foreach (var path in pictures)
        {
            using var scope = NewDisposeScope();
            var rgb = TestPictures.Load(path, 224); // [1, 3, 224, 224] in [0, 1]
            float[] ours;
            using (no_grad()) ours = net.ForwardFeatures((rgb - mean) / std).data<float>().ToArray();

            var pixels = (rgb * pixelScale).data<float>().ToArray();
            var prepared = Run(preprocess, pixels);
            var theirs = Run(resnet, prepared);

            Assert.Equal(512, ours.Length);
            Assert.Equal(512, theirs.Length);
            double diff = 0, norm2 = 0, maxAbs = 0;
            for (int i = 0; i < ours.Length; i++)
            {
                diff += (ours[i] - theirs[i]) * (double)(ours[i] - theirs[i]);
                norm2 += theirs[i] * (double)theirs[i];
                maxAbs = Math.Max(maxAbs, Math.Abs(ours[i] - theirs[i]));
            }
            var relative = Math.Sqrt(diff / norm2);
            _output.WriteLine($"{Path.GetFileName(path)}: relative L2 difference {relative:E2}, max abs {maxAbs:E2}, |features| {Math.Sqrt(norm2):F2}");
            Assert.True(norm2 > 1, $"{path}: features near zero");
            Assert.True(relative <= 1e-4, $"{path}: relative difference {relative:E2}");
        }
    }

    private static float[] Run(InferenceSession session, float[] input)
    {
        var name = session.InputMetadata.Keys.Single();
        var value = NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(input, [1, 3, 224, 224]));
        using var results = session.Run([value]);
        return results.Single().AsTensor<float>().ToArray();
    }
}
