using System.Diagnostics;
using CrossMedia.Core;
using CrossMedia.Index;

namespace CrossMedia.Cluster;

/// <summary>What <see cref="ShardSplitter.Split"/> wrote: items per shard and, with approximate search, how long each
/// shard's HNSW graph took to build (empty without).</summary>
public sealed record ShardSplit(int[] Counts, TimeSpan[] GraphBuild);

/// <summary>Splits an index into the shard files of a cluster's storage folder (<c>cluster create</c>).</summary>
public static class ShardSplitter
{
    /// <summary>Writes <c>shard-K/index.cmi</c> for every shard (item id g into shard g mod N as local id g div N, vectors
    /// byte for byte), with <paramref name="ann"/> an HNSW graph for each beside it (as for one index; null: exact search
    /// only), and then <c>cluster.json</c>; refuses a folder that already holds a cluster.</summary>
    public static ShardSplit Split(EmbeddingIndex source, int shards, string storage, AnnSettings? ann)
    {
        if (shards < 1 || shards > ShardLayout.MaxShards)
            throw new InputException("cluster", "shards", $"1..{ShardLayout.MaxShards}", shards.ToString());
        if (File.Exists(Path.Combine(storage, ShardLayout.FileName)))
            throw new InputException(storage, ShardLayout.FileName, "a folder without a cluster", "one already there");
        ann?.Validate();
        var layout = new ShardLayout(shards);
        var header = source.Header;
        var items = source.Items();
        long nextId = source.NextId;
        var counts = new int[shards];
        var graphBuild = new List<TimeSpan>();
        for (int s = 0; s < shards; s++)
        {
            var mine = items.Where(i => layout.ShardOf(i.Id) == s).ToArray();
            counts[s] = mine.Length;
            var local = mine.Select(i => i with { Id = layout.LocalId(i.Id) }).ToArray();
            // Past every id the source ever gave out, so a shard's new items never reuse a removed item's id.
            long localNext = Math.Max(0, (nextId - s + shards - 1) / shards);
            var path = ShardLayout.ShardIndex(storage, s);
            Directory.CreateDirectory(ShardLayout.ShardFolder(storage, s));
            // An earlier, interrupted split's graph would describe other vectors (or turn HNSW on when not asked for).
            File.Delete(EmbeddingIndex.AnnPathFor(path));
            File.Delete(EmbeddingIndex.GraphPathFor(path));
            IndexFile.Write(path, header, local, (i, dst) => source.VectorOf(mine[i].Id)!.Row(0).CopyTo(dst), localNext);
            if (ann is null) continue;
            var watch = Stopwatch.StartNew();
            using (var shard = EmbeddingIndex.Open(path, verifyVectors: false)) shard.SetAnn(ann);
            graphBuild.Add(watch.Elapsed);
        }
        layout.Write(storage);
        return new ShardSplit(counts, graphBuild.ToArray());
    }
}
