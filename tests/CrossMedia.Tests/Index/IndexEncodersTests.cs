using System.Buffers.Binary;
using CrossMedia.Core;
using CrossMedia.Index;

namespace CrossMedia.Tests.Index;

/// <summary>An index records which encoder feeds each medium (issue 10, item 3) without changing indexes that have none.</summary>
public sealed class IndexEncodersTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("crossmedia-index-enc-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Build(IReadOnlyDictionary<string, string>? encoders)
    {
        var path = Path.Combine(dir, $"i{Guid.NewGuid():N}.cmidx");
        using var index = EmbeddingIndex.Create(new IndexHeader("cca", "abc", 2, Metric.Cosine, ["image", "text"], ["a", "b"], encoders));
        index.Add([new NewItem("x", "image", 0), new NewItem("y", "text", 1)], Matrix.FromRows([[1f, 0], [0f, 1]]));
        index.Save(path);
        return path;
    }

    private static uint Flags(string path) => BinaryPrimitives.ReadUInt32LittleEndian(File.ReadAllBytes(path).AsSpan(12));

    [Fact]
    public void Encoders_Should_SurviveSaveAndOpen_AndSetTheFlag()
    {
        var path = Build(new Dictionary<string, string> { ["text"] = "minilm", ["image"] = "resnet18" });
        Assert.Equal(IndexFile.EncodersFlag, Flags(path));
        using var index = EmbeddingIndex.Open(path);
        Assert.Equal(new Dictionary<string, string> { ["image"] = "resnet18", ["text"] = "minilm" }, index.Encoders);
        Assert.Equal(2, index.Count);
        Assert.Equal("y", index.Search(Matrix.FromRows([[0f, 1]]), 1)[0][0].Item.Key);

        // Compaction keeps them.
        index.Save(path);
        using var again = EmbeddingIndex.Open(path);
        Assert.Equal("minilm", again.Encoders["text"]);
    }

    [Fact]
    public void IndexWithoutEncoders_Should_KeepTheOldLayout()
    {
        // Flags 0 and no encoder section: what readers before the flag wrote and read.
        var path = Build(null);
        Assert.Equal(0u, Flags(path));
        using var index = EmbeddingIndex.Open(path);
        Assert.Empty(index.Encoders);
        Assert.Equal(2, index.Count);
    }

    [Fact]
    public void Open_Should_RefuseUnknownFlags_NamingTheField()
    {
        var path = Build(null);
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), 2);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InputException>(() => EmbeddingIndex.Open(path));
        Assert.Equal("flags", e.Field);
    }
}
