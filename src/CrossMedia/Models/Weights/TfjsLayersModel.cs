using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrossMedia.Models.Weights;

/// <summary>
/// A TensorFlow.js "layers" model: <c>model.json</c> with <c>modelTopology</c> (a Keras functional
/// <c>Model</c> or <c>Sequential</c> config) and <c>weightsManifest</c> (groups of shard files, each
/// group the concatenation of its weights' little-endian float32 values in manifest order).
/// Reading only parses and validates; building a network from it is the backbones' job.
/// </summary>
/// <param name="Source">Path of model.json (for error messages).</param>
/// <param name="Layers">Layers in file order.</param>
/// <param name="InputShape">Input shape without the batch dimension, channels last (e.g. [224, 224, 3]).</param>
/// <param name="Weights">Weight name (e.g. "conv2d_1/kernel") → values, in Keras layout.</param>
internal sealed record TfjsLayersModel(
    string Source,
    IReadOnlyList<KerasLayer> Layers,
    IReadOnlyList<int> InputShape,
    IReadOnlyDictionary<string, KerasWeight> Weights)
{
    /// <summary>Reads <paramref name="path"/> (model.json, or the directory holding it) and its shards.</summary>
    public static TfjsLayersModel Read(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "model.json") : path;
        if (!File.Exists(file))
            throw new InputException(file, "", "a TensorFlow.js layers model.json", "no such file");
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(file)) as JsonObject
                ?? throw new InputException(file, "", "a JSON object", "another JSON value");
        }
        catch (JsonException e)
        {
            throw new InputException(file, "", "valid JSON", e.Message, e);
        }
        var topology = root["modelTopology"] as JsonObject
            ?? throw new InputException(file, "modelTopology", "an object (a layers model, not a graph model)", root["modelTopology"]?.ToJsonString() ?? "nothing");
        var modelConfig = topology["model_config"] as JsonObject ?? topology;
        var (layers, inputShape) = ReadLayers(file, modelConfig);
        var weights = ReadWeights(file, root["weightsManifest"]);
        return new TfjsLayersModel(file, layers, inputShape, weights);
    }

    private static (List<KerasLayer>, int[]) ReadLayers(string file, JsonObject modelConfig)
    {
        var className = Str(modelConfig["class_name"]);
        var config = modelConfig["config"];
        var layerNodes = (config as JsonObject)?["layers"] as JsonArray ?? config as JsonArray
            ?? throw new InputException(file, "modelTopology.config.layers", "a list of layers", config?.ToJsonString() ?? "nothing");
        var sequential = className == "Sequential";
        if (!sequential && className != "Model" && className != "Functional")
            throw new InputException(file, "modelTopology.class_name", "Model, Functional or Sequential", className ?? "nothing");

        var layers = new List<KerasLayer>();
        int[]? inputShape = null;
        foreach (var node in layerNodes)
        {
            var obj = node as JsonObject ?? throw new InputException(file, "layers", "layer objects", node?.ToJsonString() ?? "null");
            var layerClass = Str(obj["class_name"]) ?? throw new InputException(file, "layers", "a class_name on every layer", obj.ToJsonString());
            var layerConfig = obj["config"] as JsonObject ?? new JsonObject();
            var name = Str(obj["name"]) ?? Str(layerConfig["name"]) ?? throw new InputException(file, "layers", "a name on every layer", obj.ToJsonString());
            if (layerConfig["batch_input_shape"] is JsonArray shape)
                inputShape ??= shape.Skip(1).Select(d => d?.GetValue<int>() ?? 0).ToArray();
            List<string> inputs;
            if (sequential)
            {
                // Sequential files may omit the input layer; add one so every layer has a source.
                if (layers.Count == 0 && layerClass != "InputLayer")
                    layers.Add(new KerasLayer("InputLayer", "input", new JsonObject(), []));
                inputs = layers.Count == 0 ? [] : [layers[^1].Name];
            }
            else
            {
                inputs = ReadInbound(file, name, obj["inbound_nodes"]);
            }
            layers.Add(new KerasLayer(layerClass, name, layerConfig, inputs));
        }
        if (inputShape is null || inputShape.Length != 3 || inputShape.Any(d => d < 0))
            throw new InputException(file, "batch_input_shape", "[null, height, width, channels] on the first layer", inputShape is null ? "nothing" : $"[{string.Join(", ", inputShape)}]");
        return (layers, inputShape);
    }

    /// <summary>Keras 2 inbound nodes: [[[layer_name, node_index, tensor_index, kwargs], ...]].</summary>
    private static List<string> ReadInbound(string file, string layer, JsonNode? inbound)
    {
        if (inbound is not JsonArray nodes || nodes.Count == 0) return [];
        if (nodes.Count > 1)
            throw new InputException(file, $"{layer}.inbound_nodes", "a layer used once (shared layers are not supported)", $"{nodes.Count} uses");
        var result = new List<string>();
        foreach (var t in nodes[0] as JsonArray ?? [])
            result.Add((t as JsonArray)?.FirstOrDefault() is JsonValue v && v.TryGetValue<string>(out var s)
                ? s : throw new InputException(file, $"{layer}.inbound_nodes", "[[[name, 0, 0, {}]]] (Keras 2 format)", inbound.ToJsonString()));
        return result;
    }

    private static Dictionary<string, KerasWeight> ReadWeights(string file, JsonNode? manifest)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        if (manifest is not JsonArray groups)
            throw new InputException(file, "weightsManifest", "a list of weight groups", manifest?.ToJsonString() ?? "nothing");
        var weights = new Dictionary<string, KerasWeight>(StringComparer.Ordinal);
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g] as JsonObject ?? throw new InputException(file, $"weightsManifest[{g}]", "an object {paths, weights}", groups[g]?.ToJsonString() ?? "null");
            var paths = (group["paths"] as JsonArray)?.Select(p => Str(p) ?? "").ToList() ?? [];
            var specs = group["weights"] as JsonArray ?? [];
            if (paths.Count == 0 || paths.Any(p => p.Length == 0 || p.Contains("..") || Path.IsPathRooted(p)))
                throw new InputException(file, $"weightsManifest[{g}].paths", "shard file names beside model.json", group["paths"]?.ToJsonString() ?? "nothing");
            var entries = new List<(string Name, int[] Shape, long Count)>();
            long expected = 0;
            foreach (var spec in specs)
            {
                var name = Str(spec?["name"]) ?? throw new InputException(file, $"weightsManifest[{g}].weights", "a name on every weight", spec?.ToJsonString() ?? "null");
                var dtype = Str(spec?["dtype"]) ?? "float32";
                if (dtype != "float32" || spec?["quantization"] is not null)
                    throw new InputException(file, $"{name}.dtype", "float32 without quantization", spec?["quantization"] is not null ? "quantized weights" : dtype);
                var shape = (spec?["shape"] as JsonArray)?.Select(d => d?.GetValue<int>() ?? -1).ToArray()
                    ?? throw new InputException(file, $"{name}.shape", "a list of dimensions", "nothing");
                if (shape.Any(d => d < 0))
                    throw new InputException(file, $"{name}.shape", "non-negative dimensions", $"[{string.Join(", ", shape)}]");
                var count = shape.Aggregate(1L, (a, d) => a * d);
                entries.Add((name, shape, count));
                expected += count * 4;
            }
            var shardFiles = paths.Select(p => Path.Combine(dir, p)).ToList();
            foreach (var s in shardFiles)
                if (!File.Exists(s)) throw new InputException(s, "", "a weight shard listed in model.json", "no such file");
            var total = shardFiles.Sum(s => new FileInfo(s).Length);
            if (total != expected)
                throw new InputException(shardFiles[0], "size", $"{expected} bytes for the weights listed in group {g + 1}", $"{total} bytes");
            var bytes = new byte[total];
            var at = 0;
            foreach (var s in shardFiles)
            {
                var chunk = File.ReadAllBytes(s);
                chunk.CopyTo(bytes, at);
                at += chunk.Length;
            }
            var floats = MemoryMarshal.Cast<byte, float>(bytes);
            long offset = 0;
            foreach (var (name, shape, count) in entries)
            {
                weights[name] = new KerasWeight(shape, floats.Slice((int)offset, (int)count).ToArray());
                offset += count;
            }
        }
        return weights;
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
