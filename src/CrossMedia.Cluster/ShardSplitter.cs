using CrossMedia.Core;
using CrossMedia.Index;

namespace CrossMedia.Cluster;

/// <summary>Splits an index into the shard files of a cluster's storage folder (<c>cluster create</c>).</summary>
public static class ShardSplitter
{
    /// <summary>Writes <c>shard-K/index.cmi</c> for every shard (item id g into shard g mod N as local id g div N, vectors
    /// byte for byte) and then <c>cluster.json</c>; refuses a folder that already holds a cluster. Returns items per shard.</summary>
    public static int[] Split(EmbeddingIndex source, int shards, string storage)
    {
        if (shards < 1 || shards > ShardLayout.MaxShards)
            throw new InputException("cluster", "shards", $"1..{ShardLayout.MaxShards}", shards.ToString());
        if (File.Exists(Path.Combine(storage, ShardLayout.FileName)))
            throw new InputException(storage, ShardLayout.FileName, "a folder without a cluster", "one already there");
        var layout = new ShardLayout(shards);
        var header = source.Header;
        var items = source.Items();
        long nextId = source.NextId;
        var counts = new int[shards];
        for (int s = 0; s < shards; s++)
        {
            var mine = items.Where(i => layout.ShardOf(i.Id) == s).ToArray();
            counts[s] = mine.Length;
            var local = mine.Select(i => i with { Id = layout.LocalId(i.Id) }).ToArray();
            // Past every id the source ever gave out, so a shard's new items never reuse a removed item's id.
            long localNext = Math.Max(0, (nextId - s + shards - 1) / shards);
            Directory.CreateDirectory(ShardLayout.ShardFolder(storage, s));
            IndexFile.Write(ShardLayout.ShardIndex(storage, s), header, local, (i, dst) => source.VectorOf(mine[i].Id)!.Row(0).CopyTo(dst), localNext);
        }
        layout.Write(storage);
        return counts;
    }
}
