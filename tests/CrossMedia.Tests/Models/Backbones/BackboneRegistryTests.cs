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

    /// <summary>
    /// In a child process on this machine (see <see cref="BackboneChild"/>): a native fault names the backbone,
    /// the layer and the signal instead of aborting the test host (oneDNN's SIGFPE on some AMD EPYC CPUs did).
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void Create_Should_BuildEveryRegisteredBackbone_WithFiniteForwardAndBackward(string name)
    {
        var failure = BackboneChild.Failure(name, BackboneChild.Run(name));
        Assert.True(failure is null, failure);
    }

    [Fact]
    public void BackboneChild_Should_NameTheLayerAndTheSignal_WhenALayerFaultsInNativeCode()
    {
        var child = BackboneChild.Run("resnet50", new Dictionary<string, string?> { [BackboneChild.FaultVariable] = "layer1.0.conv1" });
        Assert.Equal("resnet50: the child died from SIGFPE inside native code in: layer1.0.conv1 (Conv2d) forward on [2, 64, 16, 16]",
            BackboneChild.Failure("resnet50", child));
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
