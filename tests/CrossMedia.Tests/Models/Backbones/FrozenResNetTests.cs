using CrossMedia.Models.Backbones;
using CrossMedia.Torch;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.Backbones;

/// <summary>
/// <see cref="ResNet.ForInference"/>: BatchNorm folded into the convolutions (run as oneDNN's fused convolutions or as ordinary operators) gives the
/// eval-mode features of the trainable model, which it leaves as it was. Runs alone: seeds libtorch's
/// generator and switches oneDNN off for a moment.
/// </summary>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class FrozenResNetTests
{
    private const string TuxPaintStamps = "/usr/share/tuxpaint/stamps";
    private const double Tolerance = 1e-5;
    private readonly ITestOutputHelper _output;

    public FrozenResNetTests(ITestOutputHelper output)
    {
        _output = output;
        TorchRuntime.Initialize(2);
    }

    [Fact]
    public void Frozen_Should_EqualEvalMode_OnRandomPictures_OnBothPaths()
    {
        torch.manual_seed(7);
        using var net = ImageNetResNet18();
        using var spread = 60f.ToScalar(); // about the spread of pixels in 0–255 minus the mean image
        using var pictures = torch.randn(3, 3, 224, 224).mul_(spread);
        AssertBothPathsEqualEvalMode(net, pictures, "random 224²");
        using var small = torch.randn(2, 3, 96, 96).mul_(spread); // another side: the mean image is resized
        AssertBothPathsEqualEvalMode(net, small, "random 96²");
    }

    [DarknetDataFact]
    public void Frozen_Should_EqualEvalMode_OnRealPictures()
    {
        var paths = new[] { "dog.jpg", "eagle.jpg", "horses.jpg" }.Select(p => Path.Combine(DarknetDataFactAttribute.DataDir, p)).ToList();
        if (Directory.Exists(TuxPaintStamps))
            paths.AddRange(Directory.EnumerateFiles(TuxPaintStamps, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(2));
        using var net = ImageNetResNet18();
        var norm = net.Normalization;
        using var mean = tensor(norm.Mean).view(1, 3, 1, 1);
        using var std = tensor(norm.Std).view(1, 3, 1, 1);
        using var scope = NewDisposeScope();
        var batch = cat(paths.Select(p => (TestPictures.Load(p, 224) - mean) / std).ToArray(), 0);
        AssertBothPathsEqualEvalMode(net, batch, string.Join(", ", paths.Select(Path.GetFileName)));
    }

    /// <summary>Bottleneck blocks (stride in the 3×3), no mean image, BatchNorm statistics far from 0/1.</summary>
    [Fact]
    public void Frozen_Should_EqualEvalMode_ForABottleneckResNet_WithTrainedStatistics()
    {
        torch.manual_seed(11);
        using var net = new ResNet(ResNet.ResNet50Config(classes: 5, inputSize: 64));
        using (no_grad())
        using (var half = 0.5f.ToScalar())
        using (var three = 3f.ToScalar())
        using (var floor = 0.2f.ToScalar())
        using (var one = 1f.ToScalar())
            foreach (var bn in net.modules().OfType<BatchNorm2d>())
            {
                bn.running_mean!.copy_(torch.randn_like(bn.running_mean).mul_(half));
                bn.running_var!.copy_(torch.rand_like(bn.running_var).mul_(three).add_(floor));
                bn.weight!.copy_(torch.randn_like(bn.weight).mul_(half).add_(one));
                bn.bias!.copy_(torch.randn_like(bn.bias).mul_(half));
            }
        net.eval();
        using var pictures = torch.randn(2, 3, 64, 64);
        AssertBothPathsEqualEvalMode(net, pictures, "resnet50 64²");
        using var frozen = net.ForInference();
        using var features = frozen.ForwardFeatures(pictures);
        using var logits = frozen.ForwardHead(features);
        using var expected = Use(no_grad(), () => net.call(pictures));
        Assert.True(RelativeDifference(logits, expected) <= Tolerance);
    }

    [Fact]
    public void ForInference_Should_LeaveTheTrainableModelUntouched_AndFineTuningWorking()
    {
        torch.manual_seed(3);
        using var net = new ResNet(ResNet.ResNet18Config(classes: 4, inputSize: 64));
        net.train();
        using var x = torch.randn(4, 3, 64, 64);
        using (no_grad()) net.call(x).Dispose(); // running statistics move away from their initial 0/1
        var before = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var requiresGrad = net.named_parameters().ToDictionary(p => p.name, p => p.parameter.requires_grad);

        using var frozen = net.ForInference();

        Assert.True(net.training);
        foreach (var (name, value) in net.state_dict())
            Assert.True(Same(value, before[name]), $"{name} changed");
        foreach (var (name, p) in net.named_parameters())
            Assert.Equal(requiresGrad[name], p.requires_grad);

        // The copy holds its own tensors: a training step changes the model but not the copy.
        using var featuresBefore = frozen.ForwardFeatures(x);
        using var optimizer = torch.optim.SGD(net.parameters(), 0.1);
        using var labels = torch.tensor(new long[] { 0, 1, 2, 3 });
        using (var loss = nn.functional.cross_entropy(net.call(x), labels))
        {
            optimizer.zero_grad();
            loss.backward();
        }
        Assert.All(net.parameters(), p => Assert.NotNull(p.grad));
        optimizer.step();
        Assert.False(Same(net.state_dict()["conv1.weight"], before["conv1.weight"]));
        using var featuresAfter = frozen.ForwardFeatures(x);
        Assert.True(Same(featuresBefore, featuresAfter));
        foreach (var t in before.Values) t.Dispose();
    }

    /// <summary>Where the convolution probe turned oneDNN off, the copy must not call oneDNN.</summary>
    [Fact]
    public void ForInference_Should_UsePlainTensors_WhenOneDnnIsOff()
    {
        using var net = new ResNet(ResNet.ResNet18Config(classes: 4, inputSize: 64));
        net.eval();
        var was = NativeBackends.Mkldnn;
        try
        {
            NativeBackends.Mkldnn = false;
            using var frozen = net.ForInference();
            Assert.False(frozen.UsesOneDnn);
            using var x = torch.randn(1, 3, 64, 64);
            using var ours = frozen.ForwardFeatures(x);
            using var expected = Use(no_grad(), () => net.ForwardFeatures(x));
            Assert.True(RelativeDifference(ours, expected) <= Tolerance);
        }
        finally { NativeBackends.Mkldnn = was; }
        using var again = net.ForInference();
        Assert.Equal(NativeBackends.Mkldnn, again.UsesOneDnn);
    }

    [Fact]
    public void ImportWeights_Should_BeRefused_ByTheFrozenCopy()
    {
        using var net = new ResNet(ResNet.ResNet18Config(classes: 4, inputSize: 64));
        using var frozen = net.ForInference();
        Assert.Throws<InvalidOperationException>(() => frozen.ImportWeights(new Dictionary<string, Tensor>()));
    }

    private static ResNet ImageNetResNet18()
    {
        var net = (ResNet)BackboneRegistry.Create("resnet18", 1000, new BackboneOptions(224, BackboneOptions.ImageNet));
        net.eval();
        return net;
    }

    private void AssertBothPathsEqualEvalMode(ResNet net, Tensor pictures, string what)
    {
        using var expected = Use(no_grad(), () => net.ForwardFeatures(pictures));
        foreach (var oneDnn in new[] { true, false })
        {
            using var frozen = new FrozenResNet(net, oneDnn);
            Assert.Equal(oneDnn && NativeBackends.Mkldnn, frozen.UsesOneDnn);
            using var ours = frozen.ForwardFeatures(pictures);
            Assert.Equal(expected.shape, ours.shape);
            var relative = RelativeDifference(ours, expected);
            _output.WriteLine($"{what}, {(frozen.UsesOneDnn ? "oneDNN fused" : "plain tensors")}: max |frozen − eval| / max |eval| = {relative:E2}");
            Assert.True(relative <= Tolerance, $"{what}: relative difference {relative:E2}");
        }
    }

    /// <summary>max |a − b| / max |b| over the whole batch.</summary>
    private static double RelativeDifference(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a - b).abs().max().item<float>() / (double)b.abs().max().item<float>();
    }

    /// <summary>Bit for bit the same shape and values.</summary>
    private static bool Same(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    }

    private static Tensor Use(IDisposable guard, Func<Tensor> f)
    {
        using (guard) return f();
    }
}
