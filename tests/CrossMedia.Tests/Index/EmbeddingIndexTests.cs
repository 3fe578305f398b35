using CrossMedia.Core;
using CrossMedia.Index;

namespace CrossMedia.Tests.Index;

public sealed class EmbeddingIndexTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cm-index-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static readonly IndexHeader Header = new("test", "abc", 4, IndexMetric.InnerProduct, ["image", "text"], ["a", "b", "c"]);

    private static EmbeddingIndex Sample(int n = 50, int seed = 1)
    {
        var rng = new Random(seed);
        var index = EmbeddingIndex.Create(Header);
        var v = new Matrix(n, 4);
        for (int i = 0; i < v.Data.Length; i++) v.Data[i] = rng.Next(-5, 6);
        index.Add(Enumerable.Range(0, n).Select(i => new NewItem($"k{i}", i % 2 == 0 ? "image" : "text", i % 3, $"/m/{i}.png")).ToArray(), v);
        return index;
    }

    private static List<(long, float)> Results(EmbeddingIndex index, Matrix q, int k, SearchFilter? f = null) =>
        index.Search(q, k, f)[0].Select(h => (h.Item.Id, h.Score)).ToList();

    [Fact]
    public void SaveThenOpen_Should_RoundTripItemsAndResults()
    {
        using var index = Sample();
        var q = Matrix.FromRows([[1f, -2, 3, 0.5f]]);
        var before = Results(index, q, 10);
        var path = Path.Combine(dir, "a.cmidx");
        index.Save(path);
        using var opened = EmbeddingIndex.Open(path);
        Assert.Equal(before, Results(opened, q, 10));
        Assert.Equal(index.Items(), opened.Items());
        Assert.Equal(Header.ClassNames, opened.Header.ClassNames);
        Assert.Equal("abc", opened.ModelSha256);
        // Vectors section is 64-byte aligned for mapping.
        var bytes = File.ReadAllBytes(path);
        long offset = BitConverter.ToInt64(bytes, 40);
        Assert.Equal(0, offset % 64);
    }

    [Fact]
    public void Search_Should_FilterByMediumAndLabel()
    {
        using var index = Sample();
        var hits = index.Search(Matrix.FromRows([[1f, 1, 1, 1]]), 100, new SearchFilter(new HashSet<string> { "text" }, new HashSet<int> { 2 }))[0];
        var expected = index.Items().Where(i => i.Medium == "text" && i.Label == 2).Select(i => i.Id).Order().ToArray();
        Assert.Equal(expected, hits.Select(h => h.Item.Id).Order().ToArray());
    }

    [Fact]
    public void AddAndRemove_Should_PersistThroughTheLog_AndSaveShouldCompact()
    {
        var path = Path.Combine(dir, "b.cmidx");
        using (var index = Sample()) index.Save(path);
        var q = Matrix.FromRows([[0f, 0, 0, 1]]);
        using (var index = EmbeddingIndex.Open(path))
        {
            var added = index.Add([new NewItem("new", "audio", 1, "/x.wav")], Matrix.FromRows([[0f, 0, 0, 100]]));
            Assert.Equal(50L, added[0].Id);
            Assert.Equal(1, index.Remove([3L, 999L]));
        }
        Assert.True(File.Exists(path + ".log"));
        using (var index = EmbeddingIndex.Open(path))
        {
            Assert.Equal(50, index.Count);
            Assert.Null(index.Get(3));
            Assert.Equal("audio", index.Get(50)!.Medium);
            Assert.Equal(50L, index.Search(q, 1)[0][0].Item.Id);
            index.Save(path);
        }
        Assert.False(File.Exists(path + ".log"));
        using (var index = EmbeddingIndex.Open(path))
        {
            Assert.Equal(50, index.Count);
            Assert.Null(index.Get(3));
            Assert.Equal(50L, index.Search(q, 1)[0][0].Item.Id);
            Assert.Equal(51L, index.Add([new NewItem("n2", "image")], Matrix.FromRows([[1f, 1, 1, 1]]))[0].Id);
        }
    }

    [Fact]
    public void Open_Should_IgnoreATornLogTail()
    {
        var path = Path.Combine(dir, "c.cmidx");
        using (var index = Sample()) index.Save(path);
        using (var index = EmbeddingIndex.Open(path))
        {
            index.Add([new NewItem("x", "image")], Matrix.FromRows([[1f, 2, 3, 4]]));
            index.Add([new NewItem("y", "image")], Matrix.FromRows([[1f, 2, 3, 4]]));
        }
        var log = path + ".log";
        var bytes = File.ReadAllBytes(log);
        File.WriteAllBytes(log, bytes[..^10]); // crash in the middle of the last record
        using (var index = EmbeddingIndex.Open(path))
        {
            Assert.NotNull(index.Get(50));
            Assert.Null(index.Get(51));
            Assert.Equal(51L, index.Add([new NewItem("z", "text")], Matrix.FromRows([[0f, 0, 0, 1]]))[0].Id);
        }
        using (var index = EmbeddingIndex.Open(path)) Assert.Equal("z", index.Get(51)!.Key);
    }

    [Fact]
    public void Open_Should_RejectForeignTruncatedAndDamagedFiles_NamingTheField()
    {
        var path = Path.Combine(dir, "d.cmidx");
        using (var index = Sample()) index.Save(path);
        var good = File.ReadAllBytes(path);

        string Fail(byte[] bytes, bool verify = true)
        {
            var p = Path.Combine(dir, "bad.cmidx");
            File.WriteAllBytes(p, bytes);
            var e = Assert.Throws<InputException>(() => EmbeddingIndex.Open(p, verify).Dispose());
            Assert.StartsWith(p, e.Message);
            return e.Field;
        }

        Assert.Equal("magic", Fail(System.Text.Encoding.ASCII.GetBytes("{\"not\": \"an index\"}" + new string('.', 300))));
        Assert.Equal("header", Fail(good[..20]));
        Assert.Equal("length", Fail(good[..^1]));
        var version = (byte[])good.Clone(); version[8] = 9;
        Assert.Equal("version", Fail(version));
        var hugeCount = (byte[])good.Clone(); BitConverter.GetBytes(long.MaxValue).CopyTo(hugeCount, 24);
        Assert.Equal("count", Fail(hugeCount));
        var hugeDim = (byte[])good.Clone(); BitConverter.GetBytes(uint.MaxValue).CopyTo(hugeDim, 32);
        Assert.Equal("dimension", Fail(hugeDim));
        var meta = (byte[])good.Clone(); meta[70] ^= 0xFF;
        Assert.Equal("header checksum", Fail(meta));
        var vector = (byte[])good.Clone(); vector[^80] ^= 0x01;
        Assert.Equal("vector checksum", Fail(vector));
        // A fast open skips the vector checksum (verified lazily by 'index verify').
        var p2 = Path.Combine(dir, "fast.cmidx");
        File.WriteAllBytes(p2, vector);
        EmbeddingIndex.Open(p2, verifyVectors: false).Dispose();
    }

    [Fact]
    public void Npy_Should_RoundTrip_AndRejectOtherDtypes()
    {
        var m = Matrix.FromRows([[1f, 2, 3], [4f, 5, 6]]);
        var p = Path.Combine(dir, "v.npy");
        NpyFile.Write(p, m);
        var r = NpyFile.Read(p);
        Assert.Equal((2, 3), (r.Rows, r.Cols));
        Assert.Equal(m.Data, r.Data);
        var bytes = File.ReadAllBytes(p);
        int at = bytes.AsSpan().IndexOf("<f4"u8);
        bytes[at + 1] = (byte)'i';
        File.WriteAllBytes(p, bytes);
        Assert.Equal("dtype", Assert.Throws<InputException>(() => NpyFile.Read(p)).Field);
    }
}
