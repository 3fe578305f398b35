using CrossMedia.Models;
using CrossMedia.Core;
using CrossMedia.Index;

namespace CrossMedia.Tests.Index;

public sealed class EmbeddingIndexTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cm-index-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static readonly IndexHeader Header = new("test", "abc", 4, Metric.InnerProduct, ["image", "text"], ["a", "b", "c"]);

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

    /// <summary>Counts and pages computed independently, by walking the live items.</summary>
    private static void AssertCountsAndPages(EmbeddingIndex index)
    {
        var items = index.Items();
        var counts = index.Counts();
        Assert.Equal(items.GroupBy(i => i.Medium).ToDictionary(g => g.Key, g => g.Count()), counts.ByMedium);
        Assert.Equal(items.GroupBy(i => i.Label).ToDictionary(g => g.Key, g => g.Count()), counts.ByLabel);
        Assert.Equal(items.Count, counts.Total);
        Assert.Equal(items.Count, index.CountByMedium().Values.Sum());
        SearchFilter?[] filters = [null, new(new HashSet<string> { "text" }), new(Labels: new HashSet<int> { 0, -1 }),
            new(new HashSet<string> { "image", "sound" }, new HashSet<int> { 2 }), new(new HashSet<string> { "nothing" })];
        foreach (var filter in filters)
        {
            var matching = items.Where(i => filter?.Allows(i) ?? true).ToArray();
            foreach (var (offset, limit) in new[] { (0, 5), (3, 7), (0, 1000), (matching.Length - 2, 10), (matching.Length + 5, 3), (2, 0) })
            {
                if (offset < 0) continue;
                var (total, page) = index.Page(filter, offset, limit);
                Assert.Equal(matching.Length, total);
                Assert.Equal(matching.Skip(offset).Take(limit), page);
            }
        }
    }

    [Fact]
    public void CountsAndPages_Should_FollowEveryChange_ThroughTheLogAnotherWriterAndCompaction()
    {
        var path = Path.Combine(dir, "counts.cmidx");
        using (var index = Sample(60)) index.Save(path);
        using var a = EmbeddingIndex.Open(path);
        using var b = EmbeddingIndex.Open(path);  // another writer of the same file
        AssertCountsAndPages(a);
        a.Remove([0, 3, 4, 59, 1000]);
        a.Add([new NewItem("u", "sound", -1, ""), new NewItem("v", "text", -1, "")], Matrix.FromRows([[1f, 0, 0, 0], [0f, 1, 0, 0]]));
        AssertCountsAndPages(a);
        AssertCountsAndPages(b);  // caught up from the log
        Assert.Equal(a.Counts().ByLabel, b.Counts().ByLabel);
        Assert.Equal(1, a.Counts().ByMedium["sound"]);
        Assert.Equal(2, b.Remove([1, 60]));  // 60: the one sound
        Assert.Equal(0, b.Remove([1]));      // already gone: counted once
        AssertCountsAndPages(b);
        Assert.False(a.Counts().ByMedium.ContainsKey("sound"));  // a replayed b's removal
        AssertCountsAndPages(a);
        b.Save(path);   // compaction: a reloads the new file
        AssertCountsAndPages(a);
        Assert.Equal(b.Counts().ByMedium, a.Counts().ByMedium);
        using var reopened = EmbeddingIndex.Open(path);
        AssertCountsAndPages(reopened);
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
    public void FromDataset_Should_IndexEveryMediumTheModelAccepts_WithLabelsAndIds()
    {
        var rng = new Random(2);
        var features = new Matrix(7, HashingTestModel.FeatureDimension);
        for (int i = 0; i < features.Data.Length; i++) features.Data[i] = (float)rng.NextDouble();
        var labels = new[] { 0, 1, 1, 0, 2, 2, 1 };
        var splits = Enumerable.Repeat(CrossMedia.Data.Split.Test, 7).ToArray();
        var usable = new CrossMedia.Data.Medium("features", features, null, labels, splits, Enumerable.Range(0, 7).Select(i => $"f{i}").ToArray());
        var other = new CrossMedia.Data.Medium("smell", new Matrix(7, 3), null, labels, splits);
        var dataset = new CrossMedia.Data.Dataset("toy", [usable, other], ["a", "b", "c"]);
        var model = new HashingTestModel();
        using var index = IndexBuilder.FromDataset(model, "sha", dataset, Metric.InnerProduct);
        Assert.Equal(7, index.Count);
        Assert.Equal(["features"], index.Header.Media);
        Assert.Equal(["a", "b", "c"], index.ClassNames);
        var expected = model.Embed(usable);
        var hit = index.Search(expected.SelectRows([4]), 1)[0][0];
        Assert.Equal(("f4", 2), (hit.Item.Key, hit.Item.Label));
        Assert.Equal(FlatIndexDot(expected.RowReadOnly(4)), hit.Score, 3);
    }

    private static float FlatIndexDot(ReadOnlySpan<float> v)
    {
        double s = 0;
        foreach (var x in v) s += x * (double)x;
        return (float)s;
    }
}
