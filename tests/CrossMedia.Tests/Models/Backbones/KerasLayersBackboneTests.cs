using System.Text.Json.Nodes;
using CrossMedia.Models.Backbones;
using CrossMedia.Models.Weights;
using CrossMedia.Torch;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.Backbones;

/// <summary>Skips when Debian's darknet package (sample photos and ImageNet names) is not installed.</summary>
public sealed class DarknetDataFactAttribute : FactAttribute
{
    public const string DataDir = "/usr/share/darknet/data";

    public DarknetDataFactAttribute()
    {
        if (!File.Exists(Path.Combine(DataDir, "imagenet.shortnames.list")) || !File.Exists(Path.Combine(DataDir, "eagle.jpg")))
            Skip = $"needs {DataDir} from the Debian package 'darknet' (scripts/install-deps.sh installs it)";
    }
}

/// <remarks>Seeds the global torch generator: runs outside the parallel torch tests.</remarks>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class KerasLayersBackboneTests
{
    private static string ModelDir => Path.Combine(TestPaths.SharedModels, "darknet-tiny-imagenet");
    private readonly ITestOutputHelper _output;

    public KerasLayersBackboneTests(ITestOutputHelper output)
    {
        _output = output;
        TorchRuntime.Initialize(2);
    }

    [Fact]
    public void DarknetTiny_Should_LoadEveryWeight_FromTheTfjsModel()
    {
        using var net = KerasLayersBackbone.DarknetTiny(ModelDir, 1000, out var report);
        // 15 conv kernels + 15 × 4 BatchNorm arrays + the classifier's kernel and bias.
        Assert.Equal(77, report.Loaded.Count);
        Assert.Empty(report.Skipped);
        Assert.Empty(report.Missing);
        Assert.Equal(128, net.FeatureDimension);
        Assert.Equal(1000, net.Classes);
        Assert.Equal(224, net.InputSize);
        Assert.Contains("conv2d_1.weight", report.Loaded);
        Assert.Contains("batch_normalization_15.running_var", report.Loaded);
        Assert.Equal(new long[] { 16, 3, 3, 3 }, net.state_dict()["conv2d_1.weight"].shape);
    }

    [Fact]
    public void DarknetTiny_Should_SkipClassifier_ForAnotherClassCount()
    {
        using var net = KerasLayersBackbone.DarknetTiny(ModelDir, 7, out var report);
        Assert.Equal(75, report.Loaded.Count);
        Assert.Equal(2, report.Skipped.Count);
        Assert.All(report.Skipped, s => Assert.Contains("1000 classes", s.Reason));
        Assert.Equal(new[] { "classifier.bias", "classifier.weight" }, report.Missing.Order().ToArray());
        Assert.Equal(7, net.Classes);
    }

    [Fact]
    public void ImportSafeTensors_Should_RestoreDarknetWrittenWithStateDictNames()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cm-darknet-{Guid.NewGuid()}.safetensors");
        try
        {
            using var loaded = KerasLayersBackbone.DarknetTiny(ModelDir, 1000, out _);
            loaded.eval();
            SafeTensors.Write(path, loaded.state_dict());
            torch.manual_seed(8);
            using var fresh = new KerasLayersBackbone(TfjsLayersModel.Read(ModelDir), 1000);
            fresh.eval();
            var report = fresh.ImportSafeTensors(path);
            Assert.Equal(77 + 15, report.Loaded.Count); // the Keras tensors plus 15 BatchNorm step counters
            Assert.Empty(report.Missing);
            using var scope = NewDisposeScope();
            var x = torch.rand(1, 3, 64, 64);
            Assert.True(loaded.call(x).eq(fresh.call(x)).all().item<bool>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void KerasPadding_Should_PutTheOddPixelAtBottomRight_LikeTensorFlow()
    {
        // TF 'same': out = ceil(in/s); total = max((out−1)·s + k − in, 0); before = total/2.
        Assert.Equal(new long[] { 0, 1, 0, 1 }, new KerasPadding(true, 3, 3, 2, 2).For(8, 8));
        Assert.Equal(new long[] { 1, 1, 1, 1 }, new KerasPadding(true, 3, 3, 2, 2).For(7, 7));
        Assert.Null(new KerasPadding(true, 2, 2, 2, 2).For(224, 224));
        Assert.Equal(new long[] { 0, 1, 0, 0 }, new KerasPadding(true, 2, 2, 2, 2).For(6, 7));
        Assert.Equal(new long[] { 1, 1, 1, 1 }, new KerasPadding(true, 3, 3, 1, 1).For(5, 5));
        Assert.Null(new KerasPadding(false, 3, 3, 1, 1).For(5, 5));
    }

    [Fact]
    public void SameMaxPool_Should_IgnorePaddedCells()
    {
        // 3×3 all −5 with 'same' 2×2/2 pooling: TF pads at the bottom/right and never returns the pad value.
        using var pool = new KerasPool2d("p", true, 2, 2, 2, 2, same: true);
        using var x = torch.full([1, 1, 3, 3], -5f);
        using var y = pool.call(x);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, y.shape);
        Assert.All(y.data<float>().ToArray(), v => Assert.Equal(-5f, v));
    }

    [Fact]
    public void Constructor_Should_NameUnknownLayerTypes()
    {
        var dir = Directory.CreateTempSubdirectory("cm-keras-").FullName;
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(ModelDir, "model.json")))!;
            var layers = json["modelTopology"]!["model_config"]!["config"]!["layers"]!.AsArray();
            layers[2]!["class_name"] = "LayerNormalization";
            json["weightsManifest"] = new JsonArray();
            File.WriteAllText(Path.Combine(dir, "model.json"), json.ToJsonString());
            var model = TfjsLayersModel.Read(dir);
            var e = Assert.Throws<InputException>(() => new KerasLayersBackbone(model, 5));
            Assert.Contains("LayerNormalization", e.Message);
            Assert.Contains("batch_normalization_1", e.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Read_Should_RejectShardsOfTheWrongSize()
    {
        var dir = Directory.CreateTempSubdirectory("cm-keras-").FullName;
        try
        {
            File.Copy(Path.Combine(ModelDir, "model.json"), Path.Combine(dir, "model.json"));
            foreach (var f in Directory.EnumerateFiles(ModelDir, "group*"))
                File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            File.WriteAllBytes(Path.Combine(dir, "group1-shard1of1"), new byte[12]);
            var e = Assert.Throws<InputException>(() => TfjsLayersModel.Read(dir));
            Assert.Contains("group1-shard1of1", e.Message);
            Assert.Contains("256 bytes", e.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>Darknet's ImageNet-1k names: the first 1,000 lines of imagenet.shortnames.list, in the classifier's order.</summary>
    private static string[] ImageNetNames() =>
        File.ReadLines(Path.Combine(DarknetDataFactAttribute.DataDir, "imagenet.shortnames.list")).Take(1000).ToArray();

    private string[] Top5(KerasLayersBackbone net, string photo, string[] names)
    {
        using var scope = NewDisposeScope();
        var x = TestPictures.Load(Path.Combine(DarknetDataFactAttribute.DataDir, photo), 224);
        var p = nn.functional.softmax(net.call(x), 1)[0];
        var (values, indices) = p.topk(5);
        var top = indices.data<long>().ToArray().Select(i => names[i]).ToArray();
        _output.WriteLine($"{photo}: {string.Join(", ", top.Zip(values.data<float>().ToArray(), (n, v) => $"{n} {v:F3}"))}");
        return top;
    }

    /// <summary>ImageNet's 118 dog classes have the WordNet ids n02085620 (Chihuahua) … n02113978 (Mexican hairless).</summary>
    private static bool IsDog(string wnid) =>
        string.CompareOrdinal(wnid, "n02085620") >= 0 && string.CompareOrdinal(wnid, "n02113978") <= 0;

    [DarknetDataFact]
    public void DarknetTiny_Should_RecogniseRealPhotos()
    {
        var names = ImageNetNames();
        var wnids = File.ReadLines(Path.Combine(DarknetDataFactAttribute.DataDir, "imagenet.labels.list")).Take(1000).ToArray();
        var wnidOf = names.Zip(wnids).GroupBy(p => p.First).ToDictionary(g => g.Key, g => g.First().Second);
        Assert.Equal(118, wnids.Count(IsDog));
        using var net = KerasLayersBackbone.DarknetTiny(ModelDir, 1000, out _);
        net.eval();

        // Measured (224×224 bilinear, RGB in [0, 1]): eagle → kite .30, vulture .19, bald eagle .13;
        // dog → standard schnauzer, Afghan hound, giant schnauzer, ...; giraffe.jpg → zebra .39
        // (giraffe is not an ImageNet-1k class; the photo also shows a zebra).
        var eagle = Top5(net, "eagle.jpg", names);
        Assert.Contains(eagle[0], new[] { "kite", "vulture", "bald eagle" });
        Assert.Contains("bald eagle", eagle);

        var dog = Top5(net, "dog.jpg", names);
        Assert.True(IsDog(wnidOf[dog[0]]), dog[0]);
        Assert.True(dog.Count(n => IsDog(wnidOf[n])) >= 3, string.Join(", ", dog));

        Assert.Equal("zebra", Top5(net, "giraffe.jpg", names)[0]);
    }
}
