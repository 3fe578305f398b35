using CrossMedia.Models.Backbones;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.Backbones;

/// <remarks>Seeds the global torch generator: runs outside the parallel torch tests.</remarks>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class ResNetTests
{
    public ResNetTests() => TorchRuntime.Initialize(2);

    [Fact]
    public void StateDict_Should_UseTorchvisionNames_ForResNet18()
    {
        using var net = new ResNet(ResNet.ResNet18Config(classes: 1000));
        var keys = net.state_dict().Keys.ToHashSet();
        // Names and count from torchvision.models.resnet18().state_dict() (122 entries).
        string[] expected =
        [
            "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "layer1.0.conv1.weight", "layer1.0.bn1.running_mean", "layer1.1.conv2.weight", "layer1.1.bn2.bias",
            "layer2.0.conv1.weight", "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var",
            "layer4.1.bn2.num_batches_tracked", "fc.weight", "fc.bias",
        ];
        Assert.All(expected, k => Assert.Contains(k, keys));
        Assert.DoesNotContain("layer1.0.downsample.0.weight", keys);
        Assert.DoesNotContain("layer1.0.conv3.weight", keys);
        Assert.Equal(122, keys.Count);
    }

    [Fact]
    public void StateDict_Should_UseTorchvisionNamesAndShapes_ForResNet50()
    {
        using var net = new ResNet(ResNet.ResNet50Config(classes: 1000));
        var sd = net.state_dict();
        // Shapes from torchvision.models.resnet50().state_dict() (320 entries).
        var expected = new Dictionary<string, long[]>
        {
            ["conv1.weight"] = [64, 3, 7, 7],
            ["layer1.0.conv1.weight"] = [64, 64, 1, 1],
            ["layer1.0.conv3.weight"] = [256, 64, 1, 1],
            ["layer1.0.downsample.0.weight"] = [256, 64, 1, 1],
            ["layer1.0.downsample.1.running_mean"] = [256],
            ["layer2.0.conv2.weight"] = [128, 128, 3, 3],
            ["layer3.5.bn3.weight"] = [1024],
            ["layer4.2.conv3.weight"] = [2048, 512, 1, 1],
            ["fc.weight"] = [1000, 2048],
            ["fc.bias"] = [1000],
        };
        foreach (var (k, shape) in expected)
        {
            Assert.True(sd.ContainsKey(k), k);
            Assert.Equal(shape, sd[k].shape);
        }
        Assert.Equal(320, sd.Count);
        Assert.Equal(2048, net.FeatureDimension);
    }

    [Fact]
    public void ParameterCount_Should_MatchPublishedResNet50()
    {
        using var net = new ResNet(ResNet.ResNet50Config());
        var count = net.parameters().Sum(p => p.numel());
        Assert.Equal(25_557_032L, count); // torchvision resnet50: 25,557,032 parameters
    }

    [Fact]
    public void RemapKey_Should_StripWrappersAndMapTimmHead()
    {
        Assert.Equal("layer1.0.conv1.weight", ResNet.RemapKey("module.layer1.0.conv1.weight"));
        Assert.Equal("fc.weight", ResNet.RemapKey("model.backbone.fc.weight"));
        Assert.Equal("fc.bias", ResNet.RemapKey("head.fc.bias"));
        Assert.Equal("bn1.running_var", ResNet.RemapKey("bn1.running_var"));
    }

    [Fact]
    public void ImportWeights_Should_SkipClassifier_WhenClassCountsDiffer()
    {
        torch.manual_seed(3);
        using var source = new ResNet(ResNet.ResNet18Config(classes: 10));
        using var target = new ResNet(ResNet.ResNet18Config(classes: 5));
        var tensors = source.state_dict().ToDictionary(kv => "module." + kv.Key, kv => kv.Value);
        tensors["extra.weight"] = source.state_dict()["fc.bias"];
        var report = target.ImportWeights(tensors);
        Assert.Equal(122 - 2, report.Loaded.Count);
        Assert.Contains(report.Skipped, s => s.Name == "fc.weight" && s.Reason.Contains("10 classes"));
        Assert.Contains(report.Skipped, s => s.Name == "fc.bias");
        Assert.Contains(report.Skipped, s => s.Name == "extra.weight" && s.Reason.Contains("not in the model"));
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, report.Missing.Order().Reverse().ToArray());
        Assert.True(torch.eq(source.state_dict()["layer3.1.conv2.weight"], target.state_dict()["layer3.1.conv2.weight"]).all().item<bool>());
        Assert.True(torch.eq(source.state_dict()["bn1.running_var"], target.state_dict()["bn1.running_var"]).all().item<bool>());
    }

    [Fact]
    public void ForwardFeatures_Should_BeGlobalAverageOfLastStage_AndHeadLinear()
    {
        torch.manual_seed(4);
        using var net = new ResNet(ResNet.ResNet18Config(classes: 5, inputSize: 64));
        net.eval();
        using var scope = NewDisposeScope();
        var x = torch.rand(3, 3, 64, 64);
        var features = net.ForwardFeatures(x);
        var logits = net.call(x);
        var fcW = net.state_dict()["fc.weight"];
        var fcB = net.state_dict()["fc.bias"];
        Assert.True(torch.allclose(logits, features.matmul(fcW.t()).add(fcB), 1e-5, 1e-5));
        Assert.True(features.min().item<float>() >= 0); // after ReLU
    }
}
