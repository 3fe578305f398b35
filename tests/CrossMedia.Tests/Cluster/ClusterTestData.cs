using CrossMedia.Core;
using CrossMedia.Index;

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
