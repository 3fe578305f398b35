// Keras-layers interpreter, used for Darknet-Tiny ("Darknet: Open Source Neural Networks in C",
// J. Redmon, 2013–2016, https://pjreddie.com/darknet/; the "tiny" ImageNet classifier is a
// 16-conv network with BatchNorm + leaky ReLU, 1×1 reductions and max-pooling, 224×224 input)
// as converted to TensorFlow.js by ml5. Builds the network from the Keras topology in model.json
// with TorchSharp modules for the layer types that appear, in NCHW layout, and loads its weights.
using System.Text.Json.Nodes;
using CrossMedia.Models.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CrossMedia.Models.Backbones;

// ---------------------------------------------------------------- blocks (one per Keras layer type)

/// <summary>Keras 'same' / 'valid' padding in TensorFlow's convention: for 'same' the total padding is
/// max((ceil(in/s) − 1)·s + k_eff − in, 0), the extra pixel of an odd total at the bottom/right.</summary>
internal readonly record struct KerasPadding(bool Same, int KernelH, int KernelW, int StrideH, int StrideW, int DilationH = 1, int DilationW = 1)
{
    /// <summary>[left, right, top, bottom] for F.pad, or null when nothing is padded.</summary>
    public long[]? For(long height, long width)
    {
        if (!Same) return null;
        var (top, bottom) = Split(height, KernelH, StrideH, DilationH);
        var (left, right) = Split(width, KernelW, StrideW, DilationW);
        return top == 0 && bottom == 0 && left == 0 && right == 0 ? null : [left, right, top, bottom];
    }

    private static (long Before, long After) Split(long size, int kernel, int stride, int dilation)
    {
        var effective = (kernel - 1) * dilation + 1;
        var output = (size + stride - 1) / stride;
        var total = Math.Max((output - 1) * stride + effective - size, 0);
        return (total / 2, total - total / 2);
    }
}

/// <summary>Keras Conv2D: weight [out, in, kh, kw] (imported from Keras' [kh, kw, in, out]), TF padding, optional activation.</summary>
internal sealed class KerasConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly KerasPadding _padding;
    private readonly string _activation;

    public KerasConv2d(string name, int inChannels, int filters, int kh, int kw, int sh, int sw, int dh, int dw, bool same, bool useBias, string activation)
        : base(name)
    {
        weight = new Parameter(torch.empty(filters, inChannels, kh, kw));
        bias = useBias ? new Parameter(torch.zeros(filters)) : null;
        _padding = new KerasPadding(same, kh, kw, sh, sw, dh, dw);
        _activation = activation;
        RegisterComponents();
        using var _ = torch.no_grad();
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var pad = _padding.For(x.shape[2], x.shape[3]);
        // Symmetric padding goes into the convolution itself; TF's asymmetric case is padded first.
        long[]? symmetric = pad is [var l, var r, var t, var b] && l == r && t == b ? [t, l] : null;
        var input = pad is null || symmetric is not null ? x : F.pad(x, pad);
        var y = F.conv2d(input, weight, bias,
            strides: [_padding.StrideH, _padding.StrideW],
            padding: symmetric ?? [0, 0],
            dilation: [_padding.DilationH, _padding.DilationW]);
        return KerasActivation.Apply(_activation, y).MoveToOuterDisposeScope();
    }
}

/// <summary>Keras MaxPooling2D / AveragePooling2D; 'same' max-pooling pads with −∞ so padding never wins.</summary>
internal sealed class KerasPool2d : nn.Module<Tensor, Tensor>
{
    private readonly bool _max;
    private readonly KerasPadding _padding;

    public KerasPool2d(string name, bool max, int ph, int pw, int sh, int sw, bool same) : base(name)
    {
        _max = max;
        _padding = new KerasPadding(same, ph, pw, sh, sw);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var pad = _padding.For(x.shape[2], x.shape[3]);
        var input = pad is null ? x : F.pad(x, pad, value: double.NegativeInfinity);
        long[] kernel = [_padding.KernelH, _padding.KernelW], stride = [_padding.StrideH, _padding.StrideW];
        var y = _max ? F.max_pool2d(input, kernel, stride) : F.avg_pool2d(input, kernel, stride);
        return y.MoveToOuterDisposeScope();
    }
}

/// <summary>Element-wise Keras layers (LeakyReLU, ReLU, Activation, Dropout): no weights.</summary>
internal sealed class KerasElementwise : nn.Module<Tensor, Tensor>
{
    private readonly Func<Tensor, bool, Tensor> _apply;

    public KerasElementwise(string name, Func<Tensor, bool, Tensor> apply) : base(name) => _apply = apply;

    public override Tensor forward(Tensor x) => _apply(x, training);
}

/// <summary>The Keras activation names that may appear inside a layer's config.</summary>
internal static class KerasActivation
{
    public static readonly string[] Known = ["linear", "relu", "sigmoid", "tanh"];

    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "linear" => x,
        "relu" => F.relu(x),
        "sigmoid" => torch.sigmoid(x),
        "tanh" => torch.tanh(x),
        _ => throw new InvalidOperationException($"activation '{name}' was not validated"),
    };
}

// ---------------------------------------------------------------- model

/// <summary>
/// A backbone built from a TensorFlow.js Keras-layers model whose topology is a chain (or DAG of
/// single-input layers) of Conv2D, BatchNormalization, LeakyReLU, ReLU, Activation, Dropout,
/// MaxPooling2D, AveragePooling2D and GlobalAveragePooling2D, ending in a classifier (a 1×1
/// Conv2D before the global pooling, or a Dense after it) and optionally a softmax / reshape.
/// <see cref="ForwardFeatures"/> returns the globally pooled input of that classifier; the
/// classifier becomes the linear head <c>classifier</c> (fresh when the class count differs).
/// </summary>
internal sealed class KerasLayersBackbone : Backbone
{
    /// <summary>Layer types that may follow the classifier and are ignored (outputs are logits).</summary>
    private static readonly HashSet<string> TailLayers = ["Activation", "Softmax", "Reshape", "Flatten", "Dropout"];

    private readonly Linear classifier;
    private readonly List<(string Name, string Input, nn.Module<Tensor, Tensor> Module)> _steps = [];
    private readonly string _inputName;
    private readonly string _trunkOutput;
    private readonly string _classifierLayer;
    private readonly bool _classifierIsConv;
    private readonly int _featureDimension;
    private readonly int _fileClasses;

    /// <summary>Expected input side (from the topology), e.g. 224.</summary>
    public int InputSize { get; }

    /// <summary>Builds the network of <paramref name="model"/> with <paramref name="classes"/> outputs (0 = as in the file) and untrained weights.</summary>
    public KerasLayersBackbone(TfjsLayersModel model, int classes = 0, string name = "keras") : base(name)
    {
        var file = model.Source;
        var layers = model.Layers;
        var byName = layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        var input = layers.FirstOrDefault(l => l.ClassName == "InputLayer")
            ?? throw new InputException(file, "layers", "an InputLayer", "none");
        _inputName = input.Name;
        InputSize = model.InputShape[0];

        // Find the global pooling and the classifier around it.
        var gapIndex = layers.ToList().FindLastIndex(l => l.ClassName == "GlobalAveragePooling2D");
        if (gapIndex < 0)
            throw new InputException(file, "layers", "a GlobalAveragePooling2D before the output", "none");
        var gap = layers[gapIndex];
        var beforeGap = byName[Single(file, gap)];
        var afterGap = layers.Skip(gapIndex + 1).Where(l => !TailLayers.Contains(l.ClassName)).ToList();
        KerasLayer head;
        if (beforeGap.ClassName == "Conv2D" && IsPointwise(beforeGap) && afterGap.Count == 0)
        {
            head = beforeGap;
            _classifierIsConv = true;
            _trunkOutput = Single(file, head);
        }
        else if (afterGap is [{ ClassName: "Dense" } dense])
        {
            head = dense;
            _trunkOutput = gap.Inputs[0];
        }
        else
        {
            throw new InputException(file, "layers", "a 1×1 Conv2D classifier before GlobalAveragePooling2D or one Dense after it",
                afterGap.Count > 0 ? string.Join(", ", afterGap.Select(l => $"{l.ClassName} '{l.Name}'")) : $"{beforeGap.ClassName} '{beforeGap.Name}'");
        }
        _classifierLayer = head.Name;
        _fileClasses = Int(head.Config[_classifierIsConv ? "filters" : "units"], file, head.Name, "filters");

        // Interpret the trunk: every layer the trunk output depends on, in file order.
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([_trunkOutput]);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!needed.Add(n)) continue;
            if (!byName.TryGetValue(n, out var l)) throw new InputException(file, n, "a layer of the topology", "an unknown layer name");
            foreach (var i in l.Inputs) stack.Push(i);
        }
        var channels = new Dictionary<string, int>(StringComparer.Ordinal) { [_inputName] = model.InputShape[2] };
        foreach (var layer in layers.Where(l => needed.Contains(l.Name) && l.ClassName != "InputLayer"))
        {
            var source = Single(file, layer);
            var (module, outChannels) = Build(file, layer, channels[source]);
            _steps.Add((layer.Name, source, module));
            channels[layer.Name] = outChannels;
        }
        _featureDimension = channels[_trunkOutput];
        classifier = nn.Linear(_featureDimension, classes > 0 ? classes : _fileClasses);
        foreach (var (n, _, m) in _steps) register_module(n, m);
        RegisterComponents();
    }

    public override int FeatureDimension => _featureDimension;
    public override int Classes => (int)classifier.out_features;
    public override string ClassifierPrefix => nameof(classifier);
    /// <summary>Darknet was trained on RGB in [0, 1] without mean/std normalisation.</summary>
    public override InputNormalization Normalization => InputNormalization.UnitRange;

    public override Tensor ForwardFeatures(Tensor pictures)
    {
        using var scope = NewDisposeScope();
        var outputs = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [_inputName] = pictures };
        foreach (var (name, input, module) in _steps)
            outputs[name] = module.call(outputs[input]);
        return outputs[_trunkOutput].mean([2, 3]).MoveToOuterDisposeScope();
    }

    public override Tensor ForwardHead(Tensor features) => classifier.call(features);

    private static (nn.Module<Tensor, Tensor>, int) Build(string file, KerasLayer layer, int inChannels)
    {
        var c = layer.Config;
        var format = Str(c["data_format"]) ?? "channels_last";
        if (format != "channels_last")
            throw new InputException(file, $"{layer.Name}.data_format", "channels_last", format);
        switch (layer.ClassName)
        {
            case "Conv2D":
            {
                var (kh, kw) = Pair(file, layer, "kernel_size");
                var (sh, sw) = Pair(file, layer, "strides", 1);
                var (dh, dw) = Pair(file, layer, "dilation_rate", 1);
                var activation = Str(c["activation"]) ?? "linear";
                if (!KerasActivation.Known.Contains(activation))
                    throw new InputException(file, $"{layer.Name}.activation", string.Join(", ", KerasActivation.Known), activation);
                if ((Int(c["groups"] ?? 1, file, layer.Name, "groups")) != 1)
                    throw new InputException(file, $"{layer.Name}.groups", "1", c["groups"]!.ToJsonString());
                var filters = Int(c["filters"], file, layer.Name, "filters");
                return (new KerasConv2d(layer.Name, inChannels, filters, kh, kw, sh, sw, dh, dw, Padding(file, layer),
                    c["use_bias"]?.GetValue<bool>() ?? true, activation), filters);
            }
            case "BatchNormalization":
            {
                var axis = c["axis"] is JsonArray a ? a[0]!.GetValue<int>() : c["axis"]?.GetValue<int>() ?? -1;
                if (axis is not (-1 or 3))
                    throw new InputException(file, $"{layer.Name}.axis", "-1 or 3 (channels)", axis.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (!(c["center"]?.GetValue<bool>() ?? true) || !(c["scale"]?.GetValue<bool>() ?? true))
                    throw new InputException(file, $"{layer.Name}", "center and scale both true", "a BatchNormalization without beta or gamma");
                var eps = c["epsilon"]?.GetValue<double>() ?? 1e-3;
                // Keras' momentum weighs the old statistics; PyTorch's the new batch.
                var momentum = 1 - (c["momentum"]?.GetValue<double>() ?? 0.99);
                return (new BatchNorm2d(inChannels, eps, momentum), inChannels);
            }
            case "LeakyReLU":
            {
                var alpha = (c["alpha"] ?? c["negative_slope"])?.GetValue<double>() ?? 0.3;
                var slope = alpha.ToScalar(); // held by the layer's closure (see TorchScalars)
                return (new KerasElementwise(layer.Name, (x, _) => x.leaky_relu(slope)), inChannels);
            }
            case "ReLU":
                return (new KerasElementwise(layer.Name, (x, _) => F.relu(x)), inChannels);
            case "Activation":
            {
                var activation = Str(c["activation"]) ?? "linear";
                if (!KerasActivation.Known.Contains(activation))
                    throw new InputException(file, $"{layer.Name}.activation", string.Join(", ", KerasActivation.Known), activation);
                return (new KerasElementwise(layer.Name, (x, _) => KerasActivation.Apply(activation, x)), inChannels);
            }
            case "Dropout":
            {
                var rate = c["rate"]?.GetValue<double>() ?? 0;
                return (new KerasElementwise(layer.Name, (x, training) => F.dropout(x, rate, training)), inChannels);
            }
            case "MaxPooling2D":
            case "AveragePooling2D":
            {
                var (ph, pw) = Pair(file, layer, "pool_size", 2);
                var (sh, sw) = c["strides"] is null || c["strides"] is JsonValue { } v && v.GetValueKind() == System.Text.Json.JsonValueKind.Null
                    ? (ph, pw) : Pair(file, layer, "strides");
                var same = Padding(file, layer);
                if (same && layer.ClassName == "AveragePooling2D")
                    throw new InputException(file, $"{layer.Name}.padding", "valid (average pooling with 'same' padding is not supported)", "same");
                return (new KerasPool2d(layer.Name, layer.ClassName == "MaxPooling2D", ph, pw, sh, sw, same), inChannels);
            }
            default:
                throw new InputException(file, layer.Name, "a supported layer type (Conv2D, BatchNormalization, LeakyReLU, ReLU, Activation, Dropout, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D)", layer.ClassName);
        }
    }

    private static bool IsPointwise(KerasLayer l) =>
        l.Config["kernel_size"] is JsonArray { Count: 2 } k && k.All(v => v!.GetValue<int>() == 1)
        && (l.Config["strides"] is not JsonArray s || s.All(v => v!.GetValue<int>() == 1))
        && (Str(l.Config["activation"]) ?? "linear") == "linear";

    private static string Single(string file, KerasLayer layer) => layer.Inputs is [var one]
        ? one : throw new InputException(file, $"{layer.Name}.inbound_nodes", "exactly one input", $"{layer.Inputs.Count}");

    private static bool Padding(string file, KerasLayer layer) => (Str(layer.Config["padding"]) ?? "valid") switch
    {
        "same" => true,
        "valid" => false,
        var p => throw new InputException(file, $"{layer.Name}.padding", "same or valid", p),
    };

    private static (int, int) Pair(string file, KerasLayer layer, string key, int? fallback = null)
    {
        var node = layer.Config[key];
        if (node is null && fallback is { } f) return (f, f);
        if (node is JsonArray { Count: 2 } a) return (a[0]!.GetValue<int>(), a[1]!.GetValue<int>());
        if (node is JsonValue v && v.TryGetValue<int>(out var x)) return (x, x);
        throw new InputException(file, $"{layer.Name}.{key}", "two integers", node?.ToJsonString() ?? "nothing");
    }

    private static int Int(JsonNode? node, string file, string layer, string key) =>
        node is JsonValue v && v.TryGetValue<int>(out var x) ? x : throw new InputException(file, $"{layer}.{key}", "an integer", node?.ToJsonString() ?? "nothing");

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    // ------------------------------------------------------------ checkpoint key remapping

    /// <summary>Keras variable → state-dict suffix.</summary>
    private static readonly Dictionary<string, string> VariableNames = new(StringComparer.Ordinal)
    {
        ["kernel"] = "weight", ["bias"] = "bias",
        ["gamma"] = "weight", ["beta"] = "bias", ["moving_mean"] = "running_mean", ["moving_variance"] = "running_var",
    };

    /// <summary>
    /// Converts Keras weights to this module's state-dict names and layouts (pure): "layer/var" (any
    /// scope prefix before the layer is dropped) → "layer.weight" etc.; conv kernels [kh, kw, in, out]
    /// → [out, in, kh, kw]; the classifier's kernel (1×1 conv or Dense) → "classifier.weight" [out, in].
    /// Names it cannot place are returned unchanged so the loader reports them as skipped.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> RemapKerasWeights(IReadOnlyDictionary<string, KerasWeight> weights)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, w) in weights)
        {
            var parts = name.Split('/');
            var shape = w.Shape.Select(d => (long)d).ToArray();
            var t = torch.tensor(w.Values, shape);
            if (parts.Length < 2 || !VariableNames.TryGetValue(parts[^1].Split(':')[0], out var suffix))
            {
                result[name] = t;
                continue;
            }
            var layer = parts[^2];
            var isClassifier = layer == _classifierLayer;
            if (parts[^1].StartsWith("kernel", StringComparison.Ordinal))
            {
                if (shape.Length == 4)
                {
                    var permuted = t.permute(3, 2, 0, 1).contiguous();
                    t.Dispose();
                    t = isClassifier && _classifierIsConv ? permuted.reshape(shape[3], shape[2]) : permuted;
                }
                else if (shape.Length == 2)
                {
                    var transposed = t.t().contiguous();
                    t.Dispose();
                    t = transposed;
                }
            }
            result[$"{(isClassifier ? ClassifierPrefix : layer)}.{suffix}"] = t;
        }
        return result;
    }

    /// <summary>Imports tensors already in state-dict names (e.g. from safetensors written by this model).</summary>
    public override WeightLoadReport ImportWeights(IReadOnlyDictionary<string, Tensor> tensors) =>
        StateDictLoader.Load(this, tensors, ClassifierPrefix);

    /// <summary>Imports the Keras weights of a TF.js model (layout conversion included).</summary>
    public WeightLoadReport ImportKerasWeights(IReadOnlyDictionary<string, KerasWeight> weights)
    {
        var converted = RemapKerasWeights(weights);
        try { return ImportWeights(converted); }
        finally { foreach (var t in converted.Values) t.Dispose(); }
    }

    // ------------------------------------------------------------ named configurations

    /// <summary>
    /// Darknet-Tiny from a TF.js model directory or model.json (e.g. shared/models/darknet-tiny-imagenet),
    /// with its ImageNet weights; <paramref name="classes"/> ≠ 1000 gives a fresh classifier.
    /// Inputs: RGB in [0, 1], 224×224 as trained (any side divisible by 16 works).
    /// </summary>
    public static KerasLayersBackbone DarknetTiny(string path, int classes, out WeightLoadReport report)
    {
        var model = TfjsLayersModel.Read(path);
        var net = new KerasLayersBackbone(model, classes, "darknet-tiny");
        report = net.ImportKerasWeights(model.Weights);
        return net;
    }
}
