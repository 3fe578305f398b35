// Reads the parts of an ONNX model (https://onnx.ai, onnx.proto) that weight import needs: the
// graph's nodes (op type, inputs, outputs, attributes), its inputs and its float initializers.
// A small hand-written protobuf decoder instead of Google.Protobuf: that needs classes generated
// from onnx.proto (protoc in the build) for five messages of which we read a dozen fields; this
// way the library stays free of ONNX Runtime and protobuf packages, and every malformed field is
// an InputException naming the file instead of a parser exception.
using System.Buffers.Binary;
using System.Text;

namespace CrossMedia.Models.Weights;

/// <summary>One attribute of a node: an integer, a float, a string or a list of integers (others are ignored).</summary>
public sealed record OnnxAttribute(string Name, long? Int, float? Float, string? String, IReadOnlyList<long> Ints);

/// <summary>One graph node, in file (topological) order.</summary>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, OnnxAttribute> Attributes);

/// <summary>A float32 initializer: its dimensions and values (row-major).</summary>
public sealed record OnnxTensor(string Name, long[] Dims, float[] Data);

/// <summary>An ONNX graph: nodes, the names of its inputs (initializers excluded) and float initializers.</summary>
internal sealed class OnnxGraph
{
    /// <summary>Models larger than this are refused (ResNet-50 is about 100 MB).</summary>
    public const long MaxFileBytes = 1L << 30;

    private const int FloatType = 1; // TensorProto.DataType.FLOAT

    public required string Path { get; init; }
    public required IReadOnlyList<OnnxNode> Nodes { get; init; }
    public required IReadOnlyList<string> Inputs { get; init; }
    public required IReadOnlyDictionary<string, OnnxTensor> Initializers { get; init; }

    /// <summary>Reads <paramref name="path"/>; a missing, oversized or malformed file is an <see cref="InputException"/>.</summary>
    public static OnnxGraph Read(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "", "an ONNX model file", "no such file");
        if (new FileInfo(path).Length > MaxFileBytes)
            throw new InputException(path, "", $"an ONNX model of at most {MaxFileBytes >> 20} MiB", $"{new FileInfo(path).Length >> 20} MiB");
        var bytes = File.ReadAllBytes(path);
        try
        {
            ReadOnlyMemory<byte>? graph = null;
            foreach (var f in Fields(bytes)) if (f.Number == 7) graph = f.Bytes; // ModelProto.graph
            if (graph is null) throw new InputException(path, "graph", "a ModelProto with a graph", "none");
            return ReadGraph(path, graph.Value);
        }
        catch (FormatException e)
        {
            throw new InputException(path, "", "an ONNX (protobuf) model", e.Message);
        }
    }

    private static OnnxGraph ReadGraph(string path, ReadOnlyMemory<byte> graph)
    {
        var nodes = new List<OnnxNode>();
        var inputs = new List<string>();
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        foreach (var f in Fields(graph))
        {
            switch (f.Number)
            {
                case 1: nodes.Add(ReadNode(f.Bytes)); break;                           // GraphProto.node
                case 5: var t = ReadTensor(path, f.Bytes); initializers[t.Name] = t; break; // initializer
                case 11:                                                               // input (ValueInfoProto)
                    foreach (var g in Fields(f.Bytes)) if (g.Number == 1) inputs.Add(g.String);
                    break;
            }
        }
        return new OnnxGraph { Path = path, Nodes = nodes, Inputs = inputs.Where(i => !initializers.ContainsKey(i)).ToList(), Initializers = initializers };
    }

    private static OnnxNode ReadNode(ReadOnlyMemory<byte> node)
    {
        string name = "", op = "";
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        foreach (var f in Fields(node))
        {
            switch (f.Number)
            {
                case 1: inputs.Add(f.String); break;
                case 2: outputs.Add(f.String); break;
                case 3: name = f.String; break;
                case 4: op = f.String; break;
                case 5: var a = ReadAttribute(f.Bytes); attributes[a.Name] = a; break;
            }
        }
        return new OnnxNode(name, op, inputs, outputs, attributes);
    }

    private static OnnxAttribute ReadAttribute(ReadOnlyMemory<byte> attribute)
    {
        string name = "";
        long? i = null;
        float? fl = null;
        string? s = null;
        var ints = new List<long>();
        foreach (var f in Fields(attribute))
        {
            switch (f.Number)
            {
                case 1: name = f.String; break;
                case 2: fl = BitConverter.Int32BitsToSingle((int)f.Value); break;
                case 3: i = (long)f.Value; break;
                case 4: s = f.String; break;
                case 8: AddInts(f, ints); break;
            }
        }
        return new OnnxAttribute(name, i, fl, s, ints);
    }

    private static OnnxTensor ReadTensor(string path, ReadOnlyMemory<byte> tensor)
    {
        string name = "";
        var dims = new List<long>();
        int type = 0;
        ReadOnlyMemory<byte>? raw = null;
        var floats = new List<float>();
        foreach (var f in Fields(tensor))
        {
            switch (f.Number)
            {
                case 1: AddInts(f, dims); break;
                case 2: type = (int)f.Value; break;
                case 4: // float_data: packed or one fixed32 each
                    if (f.WireType == 2)
                        for (var span = f.Bytes.Span; span.Length >= 4; span = span[4..]) floats.Add(BinaryPrimitives.ReadSingleLittleEndian(span));
                    else floats.Add(BitConverter.Int32BitsToSingle((int)f.Value));
                    break;
                case 8: name = f.String; break;
                case 9: raw = f.Bytes; break;
            }
        }
        if (type != FloatType) throw new InputException(path, $"initializer '{name}'", "float32 data", $"data type {type}");
        long count = dims.Aggregate(1L, (a, d) => d >= 0 ? checked(a * d) : throw new FormatException($"negative dimension in '{name}'"));
        float[] data;
        if (raw is { } r)
        {
            if (r.Length != count * 4) throw new InputException(path, $"initializer '{name}'", $"{count * 4} bytes of raw data", $"{r.Length}");
            data = new float[count];
            for (int k = 0; k < data.Length; k++) data[k] = BinaryPrimitives.ReadSingleLittleEndian(r.Span.Slice(4 * k, 4));
        }
        else
        {
            if (floats.Count != count) throw new InputException(path, $"initializer '{name}'", $"{count} floats", $"{floats.Count}");
            data = floats.ToArray();
        }
        return new OnnxTensor(name, dims.ToArray(), data);
    }

    private static void AddInts(Field f, List<long> into)
    {
        if (f.WireType != 2) { into.Add((long)f.Value); return; }
        var span = f.Bytes.Span;
        int at = 0;
        while (at < span.Length) into.Add((long)ReadVarint(span, ref at));
    }

    // ------------------------------------------------------------ protobuf wire format

    /// <summary>One field: its number, wire type, and either a scalar (varint/fixed) or a length-delimited payload.</summary>
    private readonly record struct Field(int Number, int WireType, ulong Value, ReadOnlyMemory<byte> Bytes)
    {
        public string String => Encoding.UTF8.GetString(Bytes.Span);
    }

    private static IEnumerable<Field> Fields(ReadOnlyMemory<byte> message)
    {
        int at = 0;
        while (at < message.Length)
        {
            var key = ReadVarint(message.Span, ref at);
            int number = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return new Field(number, wire, ReadVarint(message.Span, ref at), default); break;
                case 1: yield return new Field(number, wire, Fixed(message, ref at, 8), default); break;
                case 5: yield return new Field(number, wire, Fixed(message, ref at, 4), default); break;
                case 2:
                    var length = ReadVarint(message.Span, ref at);
                    if (length > (ulong)(message.Length - at)) throw new FormatException($"field {number} runs past its message");
                    yield return new Field(number, wire, 0, message.Slice(at, (int)length));
                    at += (int)length;
                    break;
                default: throw new FormatException($"unsupported protobuf wire type {wire} (field {number})");
            }
        }
    }

    private static ulong Fixed(ReadOnlyMemory<byte> message, ref int at, int size)
    {
        if (at + size > message.Length) throw new FormatException("truncated fixed-size field");
        var span = message.Span.Slice(at, size);
        at += size;
        return size == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (at >= span.Length) throw new FormatException("truncated varint");
            byte b = span[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw new FormatException("varint longer than 10 bytes");
    }
}
