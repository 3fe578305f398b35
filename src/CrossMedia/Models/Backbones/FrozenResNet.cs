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
/// network runs as one TorchScript function of oneDNN's fused convolutions (mkldnn::_convolution_pointwise:
/// bias and ReLU, or the residual add and ReLU, inside the convolution; channels-last activations) with the
/// weights reordered once into oneDNN's layout, as PyTorch's compiler does for frozen CPU models; the eager
/// forward instead converts every weight on every call and makes a pass per BatchNorm, ReLU and add
/// (measured in bench/README.md, resnet18-throughput). Where <see cref="ConvolutionProbe"/> turned oneDNN
/// off, or on another device, the same folded network runs on ordinary tensors. Results equal the source
/// model's eval-mode forward up to float rounding. The source is not changed (it may keep training; fold
/// again to see new weights). The copy lives on the device the source was on when it was made; it is not
/// trainable, and its forward runs without autograd.
/// </summary>
internal sealed class FrozenResNet : Backbone
{
    /// <summary>A convolution with its BatchNorm folded in (ordinary tensors; the oneDNN network holds its own reordered weights).</summary>
    private sealed record FusedConv(Tensor Weight, Tensor Bias, long Stride, long Padding);

    /// <summary>A residual block: ReLU after every convolution but the last, which meets the shortcut before its ReLU.</summary>
    private sealed record Block(FusedConv[] Convs, FusedConv? Downsample);

    private readonly FusedConv? _stem; // the folded network on ordinary tensors (null when oneDNN runs it)
    private readonly Block[] _blocks = [];
    private readonly Tensor _fcWeight;
    private readonly Tensor _fcBias;
    private readonly Tensor? _meanImage;
    private readonly int _featureDimension;
    private readonly int _classes;
    private readonly InputNormalization _normalization;

    private readonly jit.ScriptModule? _script; // the oneDNN network (null: ordinary tensors)
    private readonly Tensor[] _scriptWeights = [];
    private readonly Tensor[] _scriptBiases = [];

    /// <summary>Whether the network runs as oneDNN's fused convolutions (false: libtorch's ordinary operators).</summary>
    public bool UsesOneDnn => _script is not null;

    internal FrozenResNet(ResNet source, bool oneDnn) : base(source.Config.Name + "-frozen")
    {
        var config = source.Config;
        _featureDimension = source.FeatureDimension;
        _classes = source.Classes;
        _normalization = source.Normalization;
        var modules = source.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        using var _ = no_grad();
        var device = source.get_parameter("conv1.weight")!.device;
        oneDnn = oneDnn && device.type == DeviceType.CPU && NativeBackends.Mkldnn;

        FusedConv Fold(string conv, string norm)
        {
            var c = (Conv2d)modules[conv];
            var bn = (BatchNorm2d)modules[norm];
            using var scope = NewDisposeScope();
            using var eps = bn.eps.ToScalar();
            var scale = bn.weight!.to(float64) / bn.running_var!.to(float64).add(eps, TorchScalars.One).sqrt();
            var weight = (c.weight!.to(float64) * scale.view(-1, 1, 1, 1)).to(float32);
            var bias = (bn.bias!.to(float64) - bn.running_mean!.to(float64) * scale).to(float32);
            return new FusedConv(weight.MoveToOuterDisposeScope(), bias.MoveToOuterDisposeScope(), c.stride[0], weight.shape[2] / 2);
        }

        var stem = Fold("conv1", "bn1");
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
        var fc = (Linear)modules[source.ClassifierPrefix];
        _fcWeight = fc.weight!.detach().clone();
        _fcBias = fc.bias!.detach().clone();
        _meanImage = config.MeanImage && source.get_buffer(ResNet.MeanImageKey) is { } mean ? mean.detach().clone() : null;
        if (oneDnn)
        {
            (_script, _scriptWeights, _scriptBiases) = OneDnnNetwork.Build(stem, [.. blocks], config.InputSize);
            // oneDNN reads its reordered copies; the dense folded weights (45 MB for ResNet-18) are not read again.
            foreach (var c in Convolutions(stem, blocks)) c.Weight.Dispose();
        }
        else (_stem, _blocks) = (stem, [.. blocks]);
    }

    /// <summary>Every folded convolution: the stem, then each block's convolutions and downsample.</summary>
    private static IEnumerable<FusedConv> Convolutions(FusedConv? stem, IEnumerable<Block> blocks) =>
        blocks.SelectMany(b => b.Downsample is null ? b.Convs : [.. b.Convs, b.Downsample]).Prepend(stem).OfType<FusedConv>();

    public override int FeatureDimension => _featureDimension;
    public override int Classes => _classes;
    public override string ClassifierPrefix => "fc";
    public override InputNormalization Normalization => _normalization;

    public override Tensor ForwardFeatures(Tensor pictures)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var x = _meanImage is null ? pictures : ResNet.SubtractMeanImage(pictures, _meanImage);
        if (_script is not null) return TorchScriptSource.Invoke(_script, "forward", x, _scriptWeights, _scriptBiases).MoveToOuterDisposeScope();
        x = F.max_pool2d(Convolve(_stem!, x).relu_(), 3, 2, 1);
        foreach (var block in _blocks)
        {
            var y = x;
            for (var i = 0; i < block.Convs.Length - 1; i++) y = Convolve(block.Convs[i], y).relu_();
            y = Convolve(block.Convs[^1], y);
            x = y.add_(block.Downsample is null ? x : Convolve(block.Downsample, x), TorchScalars.One).relu_();
        }
        return x.mean([2, 3]).MoveToOuterDisposeScope();
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
            foreach (var c in Convolutions(_stem, _blocks))
            {
                c.Weight.Dispose();
                c.Bias.Dispose();
            }
            foreach (var t in _scriptWeights.Concat(_scriptBiases)) t.Dispose(); // oneDNN's: the biases are the folded ones
            _script?.Dispose();
            _fcWeight.Dispose();
            _fcBias.Dispose();
            _meanImage?.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>
    /// The folded network as one TorchScript forward(x, w, b) of oneDNN's fused convolutions, with the
    /// weights reordered once into the layout oneDNN's channels-last convolution reads (for the input side
    /// the model was built for; other sides give the same results, with a reorder per call).
    /// </summary>
    private static class OneDnnNetwork
    {
        private const string NoScalars = "annotate(List[Optional[number]], [])";

        public static (jit.ScriptModule Script, Tensor[] Weights, Tensor[] Biases) Build(FusedConv stem, Block[] blocks, int inputSide)
        {
            var convs = new List<(FusedConv Conv, long Side)>();
            var code = new System.Text.StringBuilder();
            string Conv(string input, FusedConv c, long side, string unary)
            {
                convs.Add((c, side));
                return $"ops.mkldnn._convolution_pointwise({input}, w[{convs.Count - 1}], b[{convs.Count - 1}], {Pair(c.Padding)}, {Pair(c.Stride)}, [1, 1], 1, \"{unary}\", {NoScalars}, None)";
            }
            // shortcut = relu(conv(input) + shortcut), in place (the shortcut is not read again).
            string ConvAddRelu(string input, FusedConv c, long side, string shortcut)
            {
                convs.Add((c, side));
                return $"ops.mkldnn._convolution_pointwise_({shortcut}, {input}, w[{convs.Count - 1}], b[{convs.Count - 1}], {Pair(c.Padding)}, {Pair(c.Stride)}, [1, 1], 1, \"add\", None, \"relu\", {NoScalars}, None)";
            }
            long side = inputSide;
            code.Append("  def forward(self: __torch__.Module, x: Tensor, w: List[Tensor], b: List[Tensor]) -> Tensor:\n");
            code.Append($"    x = {Conv("x", stem, side, "relu")}\n");
            side = OutputSide(OutputSide(side, stem), 3, 2, 1);
            code.Append("    x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1], [1, 1], False)\n");
            foreach (var block in blocks)
            {
                var shortcut = "x";
                if (block.Downsample is { } d)
                {
                    code.Append($"    s = {Conv("x", d, side, "none")}\n");
                    shortcut = "s";
                }
                var y = "x";
                var blockSide = side;
                foreach (var c in block.Convs[..^1])
                {
                    code.Append($"    y = {Conv(y, c, blockSide, "relu")}\n");
                    (y, blockSide) = ("y", OutputSide(blockSide, c));
                }
                code.Append($"    x = {ConvAddRelu(y, block.Convs[^1], blockSide, shortcut)}\n");
                side = OutputSide(blockSide, block.Convs[^1]);
            }
            code.Append("    return torch.mean(x, [2, 3])\n");
            // Every convolution's weights reordered into oneDNN's layout once; the numbers are in the code, so the
            // call hands libtorch tensors only (TorchScriptSource.Invoke).
            code.Append("  def pack(self: __torch__.Module, w: List[Tensor]) -> List[Tensor]:\n");
            code.Append("    return [\n");
            for (int i = 0; i < convs.Count; i++)
            {
                var (c, convSide) = convs[i];
                code.Append($"      ops.mkldnn._reorder_convolution_weight(w[{i}], {Pair(c.Padding)}, {Pair(c.Stride)}, [1, 1], 1, [1, torch.size(w[{i}], 1), {convSide}, {convSide}]),\n");
            }
            code.Append("    ]\n");

            var script = TorchScriptSource.Load(code.ToString());
            var weights = TorchScriptSource.InvokeTensors(script, "pack", convs.Select(c => c.Conv.Weight).ToArray());
            return (script, weights, convs.Select(c => c.Conv.Bias).ToArray());
        }

        private static string Pair(long v) => $"[{v}, {v}]";

        private static long OutputSide(long side, FusedConv c) => OutputSide(side, c.Weight.shape[2], c.Stride, c.Padding);

        private static long OutputSide(long side, long kernel, long stride, long padding) => (side + 2 * padding - kernel) / stride + 1;
    }
}
