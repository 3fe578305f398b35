using CrossMedia.Models.Backbones;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.Backbones;

/// <remarks>Seeds the global torch generator: runs outside the parallel torch tests.</remarks>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class BackboneRegistryTests
{
    public static TheoryData<string> Names() => new(BackboneRegistry.Names);

    /// <summary>Options that make every registered backbone buildable in a test (darknet-tiny needs its model.json).</summary>
    internal static BackboneOptions OptionsFor(string name) => name == "darknet-tiny"
        ? new BackboneOptions(64, Path.Combine(TestPaths.SharedModels, "darknet-tiny-imagenet"))
        : new BackboneOptions(64);

    [Theory]
    [MemberData(nameof(Names))]
    public void Create_Should_BuildEveryRegisteredBackbone_WithFiniteForwardAndBackward(string name)
    {
        TorchRuntime.Initialize(2);
        torch.manual_seed(1);
        using var net = BackboneRegistry.Create(name, 5, OptionsFor(name));
        net.train();
        using var scope = NewDisposeScope();
        var x = torch.rand(2, 3, 64, 64);
        var features = net.ForwardFeatures(x);
        Assert.Equal(new long[] { 2, net.FeatureDimension }, features.shape);
        var logits = net.ForwardHead(features);
        Assert.Equal(new long[] { 2, 5 }, logits.shape);
        Assert.Equal(5, net.Classes);
        var loss = nn.functional.cross_entropy(logits, torch.tensor(new long[] { 0, 3 }));
        loss.backward();
        Assert.True(torch.isfinite(logits).all().item<bool>());
        var grads = net.parameters().Where(p => p.requires_grad).Select(p => p.grad).ToList();
        Assert.All(grads, g => Assert.NotNull(g));
        Assert.All(grads, g => Assert.True(torch.isfinite(g!).all().item<bool>()));
        // The classifier receives gradient, i.e. the head is really connected.
        Assert.True(net.parameters().Last().grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Create_Should_ImportResNetWeights_AndReportTheSkippedClassifier()
    {
        TorchRuntime.Initialize(2);
        var path = Path.Combine(Path.GetTempPath(), $"cm-resnet18-{Guid.NewGuid()}.safetensors");
        try
        {
            using (var imagenet = new ResNet(ResNet.ResNet18Config(classes: 1000)))
                CrossMedia.Models.Weights.SafeTensors.Write(path, imagenet.state_dict());
            using var net = BackboneRegistry.Create("resnet18", 5, new BackboneOptions(64, path), out var report);
            Assert.NotNull(report);
            Assert.Equal(120, report.Loaded.Count);
            Assert.Equal(["fc.bias", "fc.weight"], report.Skipped.Select(s => s.Name).Order().ToArray());
            Assert.Equal(["fc.bias", "fc.weight"], report.Missing.Order().ToArray());
            Assert.Contains("120 tensors loaded, 2 skipped, 2 missing", report.Summary);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Create_Should_ListKnownNames_WhenNameIsUnknown()
    {
        var e = Assert.Throws<InputException>(() => BackboneRegistry.Create("resnet51", 5));
        foreach (var name in new[] { "resnet18", "resnet34", "resnet50", "resnet101", "darknet-tiny" })
            Assert.Contains(name, e.Message);
        Assert.Contains("resnet51", e.Message);
    }

    [Fact]
    public void Create_Should_AskForTheModelDirectory_WhenDarknetHasNoWeights()
    {
        var e = Assert.Throws<InputException>(() => BackboneRegistry.Create("darknet-tiny", 5));
        Assert.Contains("model.json", e.Message);
    }
}
