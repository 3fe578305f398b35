using System.Buffers.Binary;
using System.Text;
using CrossMedia.Models.Backbones;
using CrossMedia.Models.Weights;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.Weights;

/// <remarks>Seeds the global torch generator: runs outside the parallel torch tests.</remarks>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cm-safetensors-").FullName;

    public SafeTensorsTests() => TorchRuntime.Initialize(2);

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>Builds a file byte by byte as the format describes (independent of the writer).</summary>
    private string WriteRaw(string header, byte[] data, long? declaredLength = null)
    {
        var path = Path.Combine(_dir, Guid.NewGuid() + ".safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(declaredLength ?? json.Length));
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void RoundTrip_Should_GiveIdenticalOutputs_InAFreshModel()
    {
        torch.manual_seed(11);
        using var original = new ResNet(ResNet.ResNet18Config(classes: 5, inputSize: 64));
        // Train a step so running statistics differ from their initial values.
        original.train();
        using (var s = NewDisposeScope()) original.call(torch.rand(4, 3, 64, 64));
        original.eval();
        var path = Path.Combine(_dir, "resnet18.safetensors");
        SafeTensors.Write(path, original.state_dict(), new Dictionary<string, string> { ["format"] = "pt" });

        torch.manual_seed(99);
        using var fresh = new ResNet(ResNet.ResNet18Config(classes: 5, inputSize: 64));
        fresh.eval();
        var report = fresh.ImportSafeTensors(path);
        Assert.Equal(122, report.Loaded.Count);
        Assert.Empty(report.Skipped);
        Assert.Empty(report.Missing);

        using var scope = NewDisposeScope();
        var x = torch.rand(2, 3, 64, 64);
        Assert.True(original.call(x).eq(fresh.call(x)).all().item<bool>());

        using var content = SafeTensors.Read(path);
        Assert.Equal("pt", content.Metadata["format"]);
        Assert.Equal(ScalarType.Int64, content.Tensors["bn1.num_batches_tracked"].dtype);
        Assert.Equal(1L, content.Tensors["bn1.num_batches_tracked"].item<long>());
        // Data section starts 8-byte aligned.
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path).AsSpan(0, 8));
        Assert.Equal(0UL, headerLength % 8);
    }

    [Fact]
    public void Read_Should_ConvertHalfBFloatAndDoubleToFloat32()
    {
        // Hand-encoded: F16 1.0 = 0x3C00, -2.5 = 0xC100; BF16 1.0 = 0x3F80, 0.5 = 0x3F00; F64 3.25.
        var data = new byte[] { 0x00, 0x3C, 0x00, 0xC1, 0x80, 0x3F, 0x00, 0x3F }
            .Concat(BitConverter.GetBytes(3.25)).ToArray();
        var path = WriteRaw("""
            {"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},
             "b":{"dtype":"BF16","shape":[1,2],"data_offsets":[4,8]},
             "d":{"dtype":"F64","shape":[],"data_offsets":[8,16]},
             "__metadata__":{"source":"hand"}}
            """, data);
        using var content = SafeTensors.Read(path);
        Assert.Equal(new[] { 1.0f, -2.5f }, content.Tensors["h"].data<float>().ToArray());
        Assert.Equal(new long[] { 1, 2 }, content.Tensors["b"].shape);
        Assert.Equal(new[] { 1.0f, 0.5f }, content.Tensors["b"].data<float>().ToArray());
        Assert.Empty(content.Tensors["d"].shape);
        Assert.Equal(3.25f, content.Tensors["d"].item<float>());
        Assert.Equal("hand", content.Metadata["source"]);
    }

    public static TheoryData<string, string, int, string> Corrupt() => new()
    {
        { "header longer than file", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4, "header length" },
        { "offsets beyond data", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "data_offsets" },
        { "shape does not match bytes", """{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,8]}}""", 8, "a.data_offsets" },
        { "overlapping tensors", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "overlap" },
        { "unknown dtype", """{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}""", 8, "a.dtype" },
        { "not json", """{"a": [1, 2""", 0, "header" },
        { "negative dimension", """{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, "a.shape" },
        { "end before begin", """{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}""", 4, "a.data_offsets" },
    };

    [Theory]
    [MemberData(nameof(Corrupt))]
    public void Read_Should_ThrowInputException_ForCorruptFiles(string why, string header, int dataBytes, string field)
    {
        var declared = why == "header longer than file" ? header.Length + dataBytes + 1 : (long?)null;
        var path = WriteRaw(header, new byte[dataBytes], declared);
        var e = Assert.Throws<InputException>(() => SafeTensors.Read(path));
        Assert.Contains(field, e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void Read_Should_ThrowInputException_ForTruncatedFile()
    {
        var path = Path.Combine(_dir, "short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<InputException>(() => SafeTensors.Read(path));
        Assert.Throws<InputException>(() => SafeTensors.Read(Path.Combine(_dir, "absent.safetensors")));
    }
}
