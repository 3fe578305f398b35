using CrossMedia.Models.Weights;
using CrossMedia.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CrossMedia.Models.Backbones;

/// <summary>
/// An inference-only copy of a <see cref="ResNet"/> (<see cref="ResNet.ForInference"/>): every BatchNorm is
/// folded into the convolution before it with its running statistics (eval-mode arithmetic: W' = W·s,
/// b' = β − μ·s, s = γ/√(σ²+ε), computed in float64), so a block is convolution + bias, ReLU and the
/// residual add, with no normalisation passes. On the CPU with libtorch's oneDNN convolutions on, the
/// weights are converted once to oneDNN's own layout and the activations stay in it between layers,
/// instead of libtorch converting weights and activations on every call (measured in bench/README.md,
/// resnet18-throughput). Where <see cref="ConvolutionProbe"/> turned oneDNN off, or on another device,
/// the same folded network runs on ordinary tensors. Results equal the source model's eval-mode forward
/// up to float rounding. The source is not changed (it may keep training; fold again to see new weights).
/// The copy lives on the device the source was on when it was made; it is not trainable, and its
/// forward runs without autograd.
/// </summary>
public sealed class FrozenResNet : Backbone
{
    /// <summary>A convolution with its BatchNorm folded in.</summary>
    private sealed record FusedConv(Tensor Weight, Tensor Bias, long Stride, long Padding);

    /// <summary>A residual block: ReLU after every convolution but the last, which meets the shortcut before its ReLU.</summary>
    private sealed record Block(FusedConv[] Convs, FusedConv? Downsample);

    private readonly FusedConv _stem;
    private readonly Block[] _blocks;
    private readonly Tensor _fcWeight;
    private readonly Tensor _fcBias;
    private readonly Tensor? _meanImage;
    private readonly int _featureDimension;
    private readonly int _classes;
    private readonly InputNormalization _normalization;

    /// <summary>Whether the weights and activations use oneDNN's layout (false: ordinary tensors).</summary>
    public bool UsesOneDnnLayout { get; }

    internal FrozenResNet(ResNet source, bool oneDnnLayout) : base(source.Config.Name + "-frozen")
    {
        var config = source.Config;
        _featureDimension = source.FeatureDimension;
        _classes = source.Classes;
        _normalization = source.Normalization;
        var modules = source.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        using var _ = no_grad();
        var device = source.get_parameter("conv1.weight")!.device;
        UsesOneDnnLayout = oneDnnLayout && device.type == DeviceType.CPU && NativeBackends.Mkldnn;

        FusedConv Fold(string conv, string norm)
        {
            var c = (Conv2d)modules[conv];
            var bn = (BatchNorm2d)modules[norm];
            using var scope = NewDisposeScope();
            using var eps = bn.eps.ToScalar();
            var scale = bn.weight!.to(float64) / bn.running_var!.to(float64).add(eps).sqrt();
            var weight = (c.weight!.to(float64) * scale.view(-1, 1, 1, 1)).to(float32);
            var bias = (bn.bias!.to(float64) - bn.running_mean!.to(float64) * scale).to(float32);
            var kernel = weight.shape[2];
            var stride = c.stride[0];
            if (UsesOneDnnLayout) (weight, bias) = (OneDnn.PackWeight(weight, stride, kernel / 2), OneDnn.ToLayout(bias));
            return new FusedConv(weight.MoveToOuterDisposeScope(), bias.MoveToOuterDisposeScope(), stride, kernel / 2);
        }

        _stem = Fold("conv1", "bn1");
        var blocks = new List<Block>();
        var convsPerBlock = config.Bottleneck ? 3 : 2;
        for (var stage = 0; stage < 4; stage++)
            for (var i = 0; i < config.Layers[stage]; i++)
            {
                var p = $"layer{stage + 1}.{i}.";
                var convs = Enumerable.Range(1, convsPerBlock).Select(k => Fold($"{p}conv{k}", $"{p}bn{k}")).ToArray();
                var downsample = modules.ContainsKey(p + "downsample.0") ? Fold(p + "downsample.0", p + "downsample.1") : null;
                blocks.Add(new Block(convs, downsample));
            }
        _blocks = [.. blocks];
        var fc = (Linear)modules[source.ClassifierPrefix];
        _fcWeight = fc.weight!.detach().clone();
        _fcBias = fc.bias!.detach().clone();
        _meanImage = config.MeanImage && source.get_buffer(ResNet.MeanImageKey) is { } mean ? mean.detach().clone() : null;
    }

    public override int FeatureDimension => _featureDimension;
    public override int Classes => _classes;
    public override string ClassifierPrefix => "fc";
    public override InputNormalization Normalization => _normalization;

    public override Tensor ForwardFeatures(Tensor pictures)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var x = _meanImage is null ? pictures : ResNet.SubtractMeanImage(pictures, _meanImage);
        if (UsesOneDnnLayout) x = OneDnn.ToLayout(x);
        x = F.max_pool2d(Convolve(_stem, x).relu_(), 3, 2, 1);
        foreach (var block in _blocks)
        {
            var y = x;
            for (var i = 0; i < block.Convs.Length - 1; i++) y = Convolve(block.Convs[i], y).relu_();
            y = Convolve(block.Convs[^1], y);
            x = y.add_(block.Downsample is null ? x : Convolve(block.Downsample, x)).relu_();
        }
        // oneDNN tensors have no mean(); its average pooling gives the same per-channel means.
        var pooled = UsesOneDnnLayout ? F.adaptive_avg_pool2d(x, [1, 1]).to_dense().flatten(1) : x.mean([2, 3]);
        return pooled.MoveToOuterDisposeScope();
    }

    public override Tensor ForwardHead(Tensor features) => F.linear(features, _fcWeight, _fcBias);

    /// <summary>Not for a frozen copy: import into the trainable <see cref="ResNet"/> and fold again.</summary>
    public override WeightLoadReport ImportWeights(IReadOnlyDictionary<string, Tensor> tensors) =>
        throw new InvalidOperationException("a frozen ResNet is read-only: import weights into the trainable ResNet and call ForInference() again");

    private static Tensor Convolve(FusedConv c, Tensor x) =>
        F.conv2d(x, c.Weight, c.Bias, [c.Stride, c.Stride], [c.Padding, c.Padding]);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var c in _blocks.SelectMany(b => b.Downsample is null ? b.Convs : [.. b.Convs, b.Downsample]).Prepend(_stem))
            {
                c.Weight.Dispose();
                c.Bias.Dispose();
            }
            _fcWeight.Dispose();
            _fcBias.Dispose();
            _meanImage?.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>
    /// oneDNN's tensor layout, which TorchSharp does not expose (PyTorch's Tensor.to_mkldnn and
    /// torch._C._nn.mkldnn_reorder_conv2d_weight, the calls of torch.utils.mkldnn): reached through two
    /// TorchScript functions compiled once. Convolution, ReLU, addition and pooling of such tensors are
    /// libtorch's ordinary operators.
    /// </summary>
    private static class OneDnn
    {
        private static readonly Lazy<jit.CompilationUnit> Functions = new(() => jit.compile("""
            def to_layout(x: Tensor) -> Tensor:
                return x.to_mkldnn()

            def pack_weight(w: Tensor, stride: int, padding: int) -> Tensor:
                return torch.mkldnn_reorder_conv2d_weight(w.to_mkldnn(), [padding, padding], [stride, stride], [1, 1], 1)
            """ + "\n")); // TorchScript's parser wants the last line ended

        public static Tensor ToLayout(Tensor x) => (Tensor)Functions.Value.invoke("to_layout", x);

        public static Tensor PackWeight(Tensor weight, long stride, long padding) =>
            (Tensor)Functions.Value.invoke("pack_weight", weight, (int)stride, (int)padding);
    }
}
