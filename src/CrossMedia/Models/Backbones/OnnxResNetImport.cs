// ImageNet ResNet-18 from ONNX: the files of NuGet's Microsoft.ML.DnnImageFeaturizer.ResNet18 (MIT;
// a CNTK 2.6 export, opset 8) — ResNet18.onnx (the network up to global average pooling) and
// ResNetPreprocess.onnx (planar RGB in 0–255 → BGR → minus a per-pixel mean image). The build copies
// both next to every output under DnnImageModels/ (src/CrossMedia/CrossMedia.csproj).
using CrossMedia.Models.Weights;
using static TorchSharp.torch;

namespace CrossMedia.Models.Backbones;

/// <summary>
/// Turns the ONNX ResNet into our torchvision state dict. The initializer names are CNTK's opaque
/// "Parameter91", so the graph is walked instead: stem Conv → BatchNormalization → Relu → MaxPool,
/// then per residual block the 3×3 Conv/BN/Relu/Conv/BN path and the shortcut (the block input, or a
/// 1×1 Conv/BN projection) meeting in an Add, until the AveragePool. Attributes are checked against
/// our layers: strides, kernel sizes, BN epsilon. CNTK pads stride-2 layers asymmetrically
/// (begin p, end p−1); on even sides — every side the pipeline uses when it is a multiple of 32 —
/// the extra end row/column is never read, so the result equals our symmetric padding.
/// The preprocessing is folded in: the BGR order into conv1's input channels (exact: reordering
/// commutes with zero padding), the mean image into the <c>input_mean</c> buffer, the 0–255 scale
/// into <see cref="InputNormalization.Pixel255"/>.
/// </summary>
internal static class OnnxResNetImport
{
    /// <summary>Where the build puts the network, relative to the application's folder.</summary>
    public const string ModelRelativePath = "DnnImageModels/ResNet18Onnx/ResNet18.onnx";

    /// <summary>The preprocessing model, relative to the network's folder (the package's layout).</summary>
    public const string PreprocessRelativePath = "../ResNetPrepOnnx/ResNetPreprocess.onnx";

    /// <summary>The ImageNet ResNet-18 shipped with the build.</summary>
    public static string DefaultModelPath => Path.Combine(AppContext.BaseDirectory, ModelRelativePath);

    /// <summary>The preprocessing file belonging to network file <paramref name="modelPath"/>.</summary>
    public static string PreprocessPath(string modelPath) =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, PreprocessRelativePath));

    /// <summary>
    /// Reads <paramref name="modelPath"/> and its preprocessing file: the residual blocks per stage
    /// (the file decides: this CNTK "ResNet-18" has [2, 2, 2, 3], 22 convolutions, where torchvision's
    /// has [2, 2, 2, 2]) and tensors named like <see cref="ResNet"/>'s state dict (CPU; the caller
    /// disposes them).
    /// </summary>
    public static (int[] Layers, Dictionary<string, Tensor> Tensors) Read(string modelPath)
    {
        var graph = OnnxGraph.Read(modelPath);
        var walk = new Walk(graph);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            var x = graph.Inputs.Count == 1 ? graph.Inputs[0] : throw walk.Bad("inputs", "one image input", $"{graph.Inputs.Count}");
            x = walk.ConvBn(x, "conv1", "bn1", kernel: 7, stride: 2, tensors, bgr: true);
            x = walk.Next(walk.Next(x, "Relu"), "MaxPool", kernel: 3, stride: 2);

            var layers = new List<int>();
            while (walk.Consumers(x).All(n => n.OpType != "AveragePool" && n.OpType != "GlobalAveragePool"))
            {
                var convs = walk.Consumers(x).Where(n => n.OpType == "Conv").ToList();
                var main = convs.Count is 1 or 2 ? convs.SingleOrDefault(n => walk.Kernel(n) == 3) : null;
                if (main is null) throw walk.Bad(x, "a residual block: a 3×3 Conv (and at most a 1×1 projection) reading it", $"{convs.Count} Convs");
                // A stride-2 block opens a stage (the first stage follows the max-pool at stride 1).
                int stride = walk.Stride(main);
                if (layers.Count == 0 || stride == 2) layers.Add(0);
                if (layers.Count > 4) throw walk.Bad(main.Name, "four stages", "a fifth stride-2 block");
                var prefix = $"layer{layers.Count}.{layers[^1]++}.";
                var y = walk.ConvBn(x, prefix + "conv1", prefix + "bn1", 3, layers.Count > 1 && layers[^1] == 1 ? 2 : 1, tensors, node: main);
                y = walk.ConvBn(walk.Next(y, "Relu"), prefix + "conv2", prefix + "bn2", 3, 1, tensors);
                var shortcut = x;
                var projection = convs.SingleOrDefault(n => walk.Kernel(n) == 1);
                if (projection is not null)
                    shortcut = walk.ConvBn(x, prefix + "downsample.0", prefix + "downsample.1", 1, stride, tensors, node: projection);
                var add = walk.Consumers(y).SingleOrDefault(n => n.OpType == "Add" && n.Inputs.Contains(shortcut))
                    ?? throw walk.Bad(prefix, "the block's two paths meeting in an Add", "none");
                x = walk.Next(add.Outputs[0], "Relu");
            }
            if (layers.Count != 4) throw walk.Bad("graph", "four stages of residual blocks", $"{layers.Count}");
            tensors[ResNet.MeanImageKey] = MeanImage(PreprocessPath(modelPath));
            return (layers.ToArray(), tensors);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>The preprocessing's mean image (Split RGB → Concat BGR → Sub MeanImage), as RGB [1, 3, 224, 224].</summary>
    private static Tensor MeanImage(string path)
    {
        var graph = OnnxGraph.Read(path);
        var sub = graph.Nodes.SingleOrDefault(n => n.OpType == "Sub" && n.Inputs.Count == 2 && graph.Initializers.ContainsKey(n.Inputs[1]))
            ?? throw new InputException(path, "graph", "one Sub of a mean image", "none");
        var concat = graph.Nodes.SingleOrDefault(n => n.OpType == "Concat" && n.Outputs.Contains(sub.Inputs[0]));
        var split = graph.Nodes.SingleOrDefault(n => n.OpType == "Split" && graph.Inputs.Contains(n.Inputs[0]));
        // BGR: the Concat takes the Split's outputs in reverse order.
        if (concat is null || split is null || split.Outputs.Count != 3 || !concat.Inputs.SequenceEqual(split.Outputs.Reverse()))
            throw new InputException(path, "graph", "Split(RGB) → Concat(B, G, R) → Sub(mean image)", "another graph");
        var mean = graph.Initializers[sub.Inputs[1]];
        long side = ResNet.MeanImageSide;
        if (!mean.Dims.SequenceEqual([1L, 3, side, side]))
            throw new InputException(path, mean.Name, $"a mean image [1, 3, {side}, {side}]", $"[{string.Join(", ", mean.Dims)}]");
        using var bgr = tensor(mean.Data, mean.Dims);
        return bgr.flip(1);
    }

    /// <summary>Follows tensors through the graph by name; every mismatch is an <see cref="InputException"/> naming the node.</summary>
    private sealed class Walk(OnnxGraph graph)
    {
        private readonly ILookup<string, OnnxNode> consumers = graph.Nodes
            .SelectMany(n => n.Inputs.Distinct().Select(i => (i, n))).ToLookup(p => p.i, p => p.n, StringComparer.Ordinal);

        public IEnumerable<OnnxNode> Consumers(string tensor) => consumers[tensor];

        public InputException Bad(string field, string expected, string found) => new(graph.Path, field, expected, found);

        public long Kernel(OnnxNode conv) => Ints(conv, "kernel_shape") is [var k, var k2] && k == k2 ? k : -1;

        public int Stride(OnnxNode conv) => Ints(conv, "strides") is [var s, var s2] && s == s2 ? (int)s : -1;

        private static IReadOnlyList<long> Ints(OnnxNode n, string name) => n.Attributes.TryGetValue(name, out var a) ? a.Ints : [];

        /// <summary>The single node of type <paramref name="op"/> reading <paramref name="tensor"/>; its output.</summary>
        public string Next(string tensor, string op, int kernel = 0, int stride = 1)
        {
            var next = Consumers(tensor).Where(n => n.OpType == op).ToList();
            if (next.Count != 1) throw Bad(tensor, $"one {op} reading it", $"{next.Count}");
            if (kernel > 0) CheckWindow(next[0], kernel, stride);
            return next[0].Outputs[0];
        }

        /// <summary>A bias-free Conv followed by a BatchNormalization, copied to <paramref name="conv"/>.weight and <paramref name="bn"/>.*.</summary>
        public string ConvBn(string input, string conv, string bn, int kernel, int stride, Dictionary<string, Tensor> into,
            bool bgr = false, OnnxNode? node = null)
        {
            node ??= Consumers(input).SingleOrDefault(n => n.OpType == "Conv") ?? throw Bad(input, "one Conv reading it", "none or several");
            CheckWindow(node, kernel, stride);
            if (node.Attributes.TryGetValue("group", out var g) && g.Int != 1) throw Bad(node.Name, "group 1", $"{g.Int}");
            if (Ints(node, "dilations").Any(d => d != 1)) throw Bad(node.Name, "dilations 1", string.Join(", ", Ints(node, "dilations")));
            if (node.Inputs.Count != 2) throw Bad(node.Name, "a Conv without bias (BatchNorm follows)", $"{node.Inputs.Count} inputs");
            var weight = Initializer(node, 1);
            into[conv + ".weight"] = bgr ? weight.flip(1) : weight; // ONNX and torch share [out, in, kh, kw]

            var norm = Consumers(node.Outputs[0]).SingleOrDefault(n => n.OpType == "BatchNormalization")
                ?? throw Bad(node.Name, "a BatchNormalization after the Conv", "none");
            var eps = norm.Attributes.TryGetValue("epsilon", out var e) && e.Float is { } f ? f : 1e-5f;
            if (Math.Abs(eps - 1e-5) > 1e-9) throw Bad(norm.Name, "BatchNormalization epsilon 1e-5 (our BatchNorm2d)", $"{eps}");
            string[] fields = ["weight", "bias", "running_mean", "running_var"]; // ONNX inputs: X, scale, B, mean, var
            for (int i = 0; i < fields.Length; i++) into[$"{bn}.{fields[i]}"] = Initializer(norm, i + 1);
            return norm.Outputs[0];
        }

        private Tensor Initializer(OnnxNode node, int input)
        {
            if (node.Inputs.Count <= input || !graph.Initializers.TryGetValue(node.Inputs[input], out var t))
                throw Bad(node.Name, $"input {input} a stored tensor", "none");
            return tensor(t.Data, t.Dims);
        }

        /// <summary>Kernel, stride and padding equal to our layer's (see the class comment for CNTK's asymmetric pads).</summary>
        private void CheckWindow(OnnxNode node, int kernel, int stride)
        {
            if (Kernel(node) != kernel) throw Bad(node.Name, $"kernel {kernel}×{kernel}", string.Join("×", Ints(node, "kernel_shape")));
            var strides = Ints(node, "strides");
            if (strides.Count != 2 || strides.Any(s => s != stride)) throw Bad(node.Name, $"strides {stride}, {stride}", string.Join(", ", strides));
            if (node.Attributes.TryGetValue("auto_pad", out var ap) && ap.String is { } mode && mode != "NOTSET")
                throw Bad(node.Name, "explicit pads (auto_pad NOTSET)", mode);
            long p = kernel / 2;
            var pads = Ints(node, "pads");
            var endPad = stride == 2 && p > 0 ? p - 1 : p;
            bool ok = pads.Count == 4 && pads[0] == p && pads[1] == p && (pads[2] == p || pads[2] == endPad) && (pads[3] == p || pads[3] == endPad);
            if (!ok) throw Bad(node.Name, $"pads {p}, {p}, {p}, {p} (or {p}, {p}, {endPad}, {endPad} with stride 2)", string.Join(", ", pads));
        }
    }
}
