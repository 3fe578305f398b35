using CrossMedia.Core;
using CrossMedia.Index;
using CrossMedia.Tests.Cli;

namespace CrossMedia.Tests.Cluster;

/// <summary>Random indexes for the cluster tests: several media and labels, and exact duplicate vectors in other
/// shards, so ties between shards are common and the merge's tie order is tested.</summary>
internal static class ClusterTestData
{
    public static EmbeddingIndex RandomIndex(string path, int count, int dim, Metric metric, int seed)
    {
        var rng = new Random(seed);
        var index = EmbeddingIndex.Create(new IndexHeader("test", "", dim, metric, ["image", "text", "audio"], ["a", "b", "c", "d"]));
        var vectors = new float[count * dim];
        for (int i = 0; i < vectors.Length; i++) vectors[i] = (float)(rng.NextDouble() * 2 - 1);
        // Every 5th item repeats an earlier one exactly (another id, usually another shard): equal scores.
        for (int i = 5; i < count; i += 5) Array.Copy(vectors, rng.Next(i) * dim, vectors, i * dim, dim);
        string[] media = ["image", "text", "audio"];
        var items = Enumerable.Range(0, count).Select(i => new NewItem("item" + i, media[i % 3], i % 5 - 1)).ToArray();
        index.Add(items, new Matrix(vectors, count, dim));
        index.Save(path);
        index.Remove(Enumerable.Range(0, count).Where(i => i % 17 == 3).Select(i => (long)i).ToArray());  // gaps in the ids
        return index;
    }

    public static Matrix RandomQueries(int rows, int dim, int seed)
    {
        var rng = new Random(seed);
        var data = new float[rows * dim];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return new Matrix(data, rows, dim);
    }

    /// <summary>Asserts the same ids and bit-identical scores, row by row.</summary>
    public static void AssertSame(IReadOnlyList<SearchHit[]> expected, IReadOnlyList<SearchHit[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int q = 0; q < expected.Count; q++)
        {
            Assert.Equal(expected[q].Select(h => h.Item.Id), actual[q].Select(h => h.Item.Id));
            Assert.Equal(expected[q].Select(h => BitConverter.SingleToInt32Bits(h.Score)), actual[q].Select(h => BitConverter.SingleToInt32Bits(h.Score)));
            Assert.Equal(expected[q].Select(h => h.Item), actual[q].Select(h => h.Item));
        }
    }
}

public sealed class ShardSplitterTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("crossmedia-split-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void NewItemsOfAShardNeverReuseARemovedId()
    {
        using var source = ClusterTestData.RandomIndex(Path.Combine(dir, "single.cmi"), 10, 4, Metric.Cosine, seed: 3);
        source.Remove([7, 8, 9]);  // the last ids given out are gone
        var storage = Path.Combine(dir, "storage");
        Assert.Equal(source.Count, CrossMedia.Cluster.ShardSplitter.Split(source, 3, storage, ann: null).Counts.Sum());
        var layout = new CrossMedia.Cluster.ShardLayout(3);
        for (int s = 0; s < 3; s++)
        {
            using var shard = EmbeddingIndex.Open(CrossMedia.Cluster.ShardLayout.ShardIndex(storage, s));
            Assert.All(shard.Items(), i => Assert.Equal(source.Get(layout.GlobalId(s, i.Id))!.Key, i.Key));
            long added = layout.GlobalId(s, shard.Add([new NewItem("new", "image")], ClusterTestData.RandomQueries(1, 4, seed: s))[0].Id);
            Assert.True(added >= 10, $"shard {s} gave id {added}, which the source index gave out before");
        }
        Assert.Throws<InputException>(() => CrossMedia.Cluster.ShardSplitter.Split(source, 3, storage, ann: null));  // a folder holding a cluster is kept
    }

    [Fact]
    public void CreateBuildsAGraphPerShardWithTheGivenOrTheSourceSettings()
    {
        using var source = ClusterTestData.RandomIndex(Path.Combine(dir, "single.cmi"), 300, 8, Metric.Cosine, seed: 4);
        (int Code, string Out, string Err) Create(string storage, params string[] ann) =>
            CliHarness.Run(["cluster", "create", "--shards", "3", "--from", source.Path!, "--storage", Path.Combine(dir, storage), .. ann]);

        var given = Create("given", "--ann", "hnsw", "--connectivity", "8", "--expansion-search", "40");
        Assert.True(given.Code == 0, given.Err);
        Assert.Matches(@"HNSW graphs \(connectivity 8, expansion-add 128, expansion-search 40, quantization f32\) in \d+\.\d s \((\d+\.\d, ){2}\d+\.\d s per shard\)", given.Out);
        AssertShards("given", new AnnSettings(8, 128, 40));
        var quantized = Create("quantized", "--ann", "hnsw", "--quantization", "f16");
        Assert.True(quantized.Code == 0, quantized.Err);
        AssertShards("quantized", new AnnSettings(Quantization: "f16"));

        // Without --ann the shards search as the source index does; --ann none: exact-only shards.
        var exactSource = Create("exact-source");
        Assert.True(exactSource.Code == 0, exactSource.Err);
        Assert.DoesNotContain("HNSW", exactSource.Out);
        AssertShards("exact-source", null);
        source.SetAnn(new AnnSettings(6, 32, 20));
        var inherited = Create("inherited");
        Assert.True(inherited.Code == 0, inherited.Err);
        Assert.Contains("HNSW graphs (connectivity 6, expansion-add 32, expansion-search 20, quantization f32; as the source index) in ", inherited.Out);
        AssertShards("inherited", new AnnSettings(6, 32, 20));
        var none = Create("none", "--ann", "none");
        Assert.True(none.Code == 0, none.Err);
        AssertShards("none", null);

        var bad = Create("bad", "--ann", "hnsw", "--connectivity", "1");
        Assert.Equal(2, bad.Code);
        Assert.Contains("--connectivity", bad.Err);
    }

    /// <summary>Every shard has these settings and a graph file of its own items that loads as it is (no rebuild).</summary>
    private void AssertShards(string storage, AnnSettings? ann)
    {
        for (int s = 0; s < 3; s++)
        {
            var path = CrossMedia.Cluster.ShardLayout.ShardIndex(Path.Combine(dir, storage), s);
            using var shard = EmbeddingIndex.Open(path, warn: message => Assert.Fail(message));
            Assert.Equal(ann, shard.Ann);
            Assert.Equal(ann is not null, File.Exists(EmbeddingIndex.GraphPathFor(path)));
            if (ann is not null) Assert.Equal(shard.Count, shard.AnnInfo!.Vectors);
        }
    }
}
