using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Weights;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// <c>{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}</c>, then
/// the raw little-endian tensor bytes (offsets relative to the end of the header).
/// Floating-point tensors (F32, F16, BF16, F64) are read as float32; I64 as int64 (e.g. BatchNorm's
/// <c>num_batches_tracked</c>). Every header field is checked against the file before anything is
/// allocated, and problems surface as <see cref="InputException"/>.
/// </summary>
public static class SafeTensors
{
    /// <summary>Headers larger than this are refused (real headers are kilobytes).</summary>
    public const long MaxHeaderBytes = 100L << 20;

    private const string MetadataKey = "__metadata__";

    /// <summary>Element size in bytes of each supported dtype.</summary>
    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal)
    {
        ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["F64"] = 8, ["I64"] = 8,
    };

    /// <summary>Reads every tensor of <paramref name="path"/> (CPU tensors; the caller disposes them).</summary>
    public static SafeTensorsContent Read(string path)
    {
        if (!File.Exists(path))
            throw new InputException(path, "", "a safetensors file", "no such file");
        using var stream = File.OpenRead(path);
        var fileLength = stream.Length;
        if (fileLength < 8)
            throw new InputException(path, "header length", "8 bytes", $"a file of {fileLength} bytes");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, fileLength - 8))
            throw new InputException(path, "header length", $"at most {Math.Min(MaxHeaderBytes, fileLength - 8)} bytes (the rest of the file)", $"{headerLength}");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var dataLength = fileLength - 8 - (long)headerLength;

        var entries = ParseHeader(path, headerBytes, dataLength, out var metadata);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            var dataStart = 8 + (long)headerLength;
            foreach (var e in entries.OrderBy(e => e.Begin))
            {
                var bytes = new byte[e.End - e.Begin];
                stream.Position = dataStart + e.Begin;
                stream.ReadExactly(bytes);
                tensors[e.Name] = ToTensor(e.DType, bytes, e.Shape);
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new SafeTensorsContent(tensors, metadata);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> as F32 (floating) or I64 (integer) in the given order, atomically.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header[MetadataKey] = meta;
        }
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved", nameof(tensors));
            var (dtype, bytes) = ToBytes(tensor);
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // Pad the header with spaces so the data starts 8-byte aligned (allowed by the format).
        var padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            s.Write(len);
            s.Write(json);
            for (var i = json.Length; i < padded; i++) s.WriteByte((byte)' ');
            foreach (var b in blobs) s.Write(b);
        });
    }

    private sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End);

    private static List<Entry> ParseHeader(string path, byte[] headerBytes, long dataLength, out Dictionary<string, string> metadata)
    {
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes) as JsonObject
                ?? throw new InputException(path, "header", "a JSON object", "another JSON value");
        }
        catch (JsonException e)
        {
            throw new InputException(path, "header", "valid JSON", e.Message, e);
        }
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        foreach (var (name, node) in header)
        {
            if (name == MetadataKey)
            {
                if (node is not JsonObject meta)
                    throw new InputException(path, MetadataKey, "an object of strings", node?.GetValueKind().ToString() ?? "null");
                foreach (var (k, v) in meta)
                    metadata[k] = v is JsonValue jv && jv.TryGetValue<string>(out var s)
                        ? s : throw new InputException(path, $"{MetadataKey}.{k}", "a string", v?.ToJsonString() ?? "null");
                continue;
            }
            if (node is not JsonObject obj)
                throw new InputException(path, name, "an object {dtype, shape, data_offsets}", node?.ToJsonString() ?? "null");
            var dtype = obj["dtype"] is JsonValue d && d.TryGetValue<string>(out var ds) ? ds
                : throw new InputException(path, $"{name}.dtype", "a string", obj["dtype"]?.ToJsonString() ?? "nothing");
            if (!ElementSizes.TryGetValue(dtype, out var elementSize))
                throw new InputException(path, $"{name}.dtype", $"one of {string.Join(", ", ElementSizes.Keys)}", dtype);
            var shape = ReadLongs(path, $"{name}.shape", obj["shape"], null);
            if (shape.Any(x => x < 0))
                throw new InputException(path, $"{name}.shape", "non-negative dimensions", $"[{string.Join(", ", shape)}]");
            var offsets = ReadLongs(path, $"{name}.data_offsets", obj["data_offsets"], 2);
            var (begin, end) = (offsets[0], offsets[1]);
            if (begin < 0 || end < begin || end > dataLength)
                throw new InputException(path, $"{name}.data_offsets", $"0 <= begin <= end <= {dataLength} (data size)", $"[{begin}, {end}]");
            long count = 1;
            foreach (var dim in shape)
                count = dim == 0 ? 0 : (count > long.MaxValue / dim ? long.MaxValue / elementSize : count * dim);
            if (count > long.MaxValue / elementSize || count * elementSize != end - begin)
                throw new InputException(path, $"{name}.data_offsets", $"{count} × {elementSize} bytes for shape [{string.Join(", ", shape)}] {dtype}", $"{end - begin} bytes");
            entries.Add(new Entry(name, dtype, shape, begin, end));
        }
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        for (var i = 1; i < sorted.Count; i++)
            if (sorted[i].Begin < sorted[i - 1].End)
                throw new InputException(path, $"{sorted[i].Name}.data_offsets", $"no overlap with '{sorted[i - 1].Name}' (ends at {sorted[i - 1].End})", $"begins at {sorted[i].Begin}");
        return entries;
    }

    private static long[] ReadLongs(string path, string field, JsonNode? node, int? expectedCount)
    {
        if (node is not JsonArray array || (expectedCount is { } n && array.Count != n))
            throw new InputException(path, field, expectedCount is { } c ? $"an array of {c} integers" : "an array of integers", node?.ToJsonString() ?? "nothing");
        var result = new long[array.Count];
        for (var i = 0; i < array.Count; i++)
            result[i] = array[i] is JsonValue v && v.TryGetValue<long>(out var x) ? x
                : throw new InputException(path, field, "integers", array.ToJsonString());
        return result;
    }

    private static Tensor ToTensor(string dtype, byte[] bytes, long[] shape)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors needs a little-endian machine");
        switch (dtype)
        {
            case "I64":
                return torch.tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape);
            case "F32":
                return torch.tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape);
        }
        var n = bytes.Length / ElementSizes[dtype];
        var values = new float[n];
        switch (dtype)
        {
            case "F16":
                var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                for (var i = 0; i < n; i++) values[i] = (float)halves[i];
                break;
            case "BF16":
                var raw = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (var i = 0; i < n; i++) values[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                break;
            case "F64":
                var doubles = MemoryMarshal.Cast<byte, double>(bytes);
                for (var i = 0; i < n; i++) values[i] = (float)doubles[i];
                break;
        }
        return torch.tensor(values, shape);
    }

    private static (string DType, byte[] Bytes) ToBytes(Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().contiguous();
        if (cpu.dtype is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte)
        {
            using var longs = cpu.to_type(ScalarType.Int64);
            return ("I64", MemoryMarshal.AsBytes(longs.data<long>().ToArray().AsSpan()).ToArray());
        }
        using var floats = cpu.to_type(ScalarType.Float32);
        return ("F32", MemoryMarshal.AsBytes(floats.data<float>().ToArray().AsSpan()).ToArray());
    }
}
