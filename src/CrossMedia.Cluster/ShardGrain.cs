using CrossMedia.Core;
using CrossMedia.Index;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Concurrency;

namespace CrossMedia.Cluster;

/// <summary>Where a silo finds the shards' index files (shared by every silo: a network file system in production).</summary>
public sealed class ShardStorageOptions
{
    public string Folder { get; set; } = "";
}

/// <summary>
/// A shard: opens its index file on activation (any silo can, from the shared storage) and answers with cluster-wide ids.
/// Reentrant: <see cref="EmbeddingIndex"/> is thread-safe (searches share a read lock) and guards its file against other
/// processes, so an activation that briefly exists twice while a silo is declared dead cannot lose a change.
/// </summary>
[Reentrant, ShardPlacement]
internal sealed class ShardGrain(IOptions<ShardStorageOptions> storage) : Grain, IShardGrain
{
    private EmbeddingIndex index = null!;
    private ShardLayout layout = null!;
    private int shard;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var folder = storage.Value.Folder;
        layout = ShardLayout.Read(folder);
        shard = (int)this.GetPrimaryKeyLong();
        if (shard < 0 || shard >= layout.Shards) throw new InvalidOperationException($"no shard {shard} in a cluster of {layout.Shards}");
        // verifyVectors off: a checksum pass over every vector would delay each reactivation after a silo failure.
        index = EmbeddingIndex.Open(ShardLayout.ShardIndex(folder, shard), verifyVectors: false);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        index.Dispose();
        return Task.CompletedTask;
    }

    public Task<ShardSearchResult> Search(float[] queries, int dimension, int k, string[]? media, int[]? labels)
    {
        var filter = media is null && labels is null ? null : new SearchFilter(media?.ToHashSet(), labels?.ToHashSet());
        try
        {
            var hits = index.Search(new Matrix(queries, queries.Length / Math.Max(1, dimension), dimension), k, filter);
            return Task.FromResult(new ShardSearchResult(hits.Select(row => row.Select(h => new ShardHit(Global(h.Item), h.Score)).ToArray()).ToArray(), null));
        }
        catch (InputException e) { return Task.FromResult(new ShardSearchResult([], ShardRefusal.Of(e))); }
    }

    public Task<ShardItem?> Get(long id) => Task.FromResult(Mine(id) && index.Get(layout.LocalId(id)) is { } item ? Global(item) : null);

    public Task<float[]?> VectorOf(long id) => Task.FromResult(Mine(id) ? index.VectorOf(layout.LocalId(id))?.Data : null);

    public Task<ShardAddResult> Add(ShardNewItem[] items, float[] vectors)
    {
        try
        {
            var added = index.Add(items.Select(n => new NewItem(n.Key, n.Medium, n.Label, n.Source)).ToArray(),
                new Matrix(vectors, items.Length, items.Length == 0 ? index.Dimension : vectors.Length / items.Length));
            return Task.FromResult(new ShardAddResult(added.Select(Global).ToArray(), null));
        }
        catch (InputException e) { return Task.FromResult(new ShardAddResult([], ShardRefusal.Of(e))); }
    }

    public Task<int> Remove(long[] ids) => Task.FromResult(index.Remove(ids.Where(Mine).Select(layout.LocalId).ToArray()));

    public Task<ShardItem[]> Items() => Task.FromResult(index.Items().Select(Global).ToArray());

    public Task<ShardInfo> Info()
    {
        var h = index.Header;
        return Task.FromResult(new ShardInfo(layout.Shards, index.Count, h.Method, h.ModelSha256, h.Dimension, h.Metric.Name(),
            h.Media.ToArray(), h.ClassNames.ToArray(), h.Encoders.ToDictionary(), RuntimeIdentity));
    }

    private bool Mine(long id) => id >= 0 && layout.ShardOf(id) == shard;

    private ShardItem Global(IndexItem item) => new(layout.GlobalId(shard, item.Id), item.Key, item.Medium, item.Label, item.Source);
}
