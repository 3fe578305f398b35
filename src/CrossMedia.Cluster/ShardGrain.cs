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
    private EmbeddingIndex _index = null!;
    private ShardLayout _layout = null!;
    private int _shard;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var folder = storage.Value.Folder;
        _shard = (int)this.GetPrimaryKeyLong();
        try
        {
            _layout = ShardLayout.Read(folder);
            if (_shard < 0 || _shard >= _layout.Shards) throw new InvalidOperationException($"no shard {_shard} in a cluster of {_layout.Shards}");
            // verifyVectors off: a checksum pass over every vector would delay each reactivation after a silo failure.
            _index = EmbeddingIndex.Open(ShardLayout.ShardIndex(folder, _shard), verifyVectors: false);
        }
        catch (Exception e) when (e is InputException or IOException or UnauthorizedAccessException)
        {
            // Orleans has no codec for InputException: the caller would read "could not find a codec" instead of the cause.
            throw new InvalidOperationException($"shard {_shard} cannot open its index: {e.Message}");
        }
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _index.Dispose();
        return Task.CompletedTask;
    }

    public Task<ShardSearchResult> Search(float[] queries, int dimension, int k, string[]? media, int[]? labels, bool exact)
    {
        var filter = media is null && labels is null ? null : new SearchFilter(media?.ToHashSet(), labels?.ToHashSet());
        try
        {
            var hits = _index.Search(new Matrix(queries, queries.Length / Math.Max(1, dimension), dimension), k, filter, exact);
            return Task.FromResult(new ShardSearchResult(hits.Select(row => row.Select(h => new ShardHit(Global(h.Item), h.Score)).ToArray()).ToArray(), null));
        }
        catch (InputException e) { return Task.FromResult(new ShardSearchResult([], ShardRefusal.Of(e))); }
    }

    public Task<ShardItem?> Get(long id) => Task.FromResult(Mine(id) && _index.Get(_layout.LocalId(id)) is { } item ? Global(item) : null);

    public Task<float[]?> VectorOf(long id) => Task.FromResult(Mine(id) ? _index.VectorOf(_layout.LocalId(id))?.Data : null);

    public Task<ShardAddResult> Add(ShardNewItem[] items, float[] vectors)
    {
        try
        {
            var added = _index.Add(items.Select(n => new NewItem(n.Key, n.Medium, n.Label, n.Source)).ToArray(),
                new Matrix(vectors, items.Length, items.Length == 0 ? _index.Dimension : vectors.Length / items.Length));
            return Task.FromResult(new ShardAddResult(added.Select(Global).ToArray(), null));
        }
        catch (InputException e) { return Task.FromResult(new ShardAddResult([], ShardRefusal.Of(e))); }
    }

    public Task<int> Remove(long[] ids) => Task.FromResult(_index.Remove(ids.Where(Mine).Select(_layout.LocalId).ToArray()));

    public Task<ShardPage> Page(string[]? media, int[]? labels, int take)
    {
        // In id order, and local order is global order within a shard.
        var (total, page) = _index.Page(new SearchFilter(media?.ToHashSet(), labels?.ToHashSet()), 0, Math.Max(0, take));
        return Task.FromResult(new ShardPage(total, page.Select(Global).ToArray()));
    }

    public Task<ShardCounts> Counts()
    {
        var counts = _index.Counts();
        return Task.FromResult(new ShardCounts(counts.ByMedium.ToDictionary(), counts.ByLabel.ToDictionary()));
    }

    public Task<ShardInfo> Info()
    {
        var h = _index.Header;
        return Task.FromResult(new ShardInfo(_layout.Shards, _index.Count, h.Method, h.ModelSha256, h.Dimension, h.Metric.Name(),
            h.Media.ToArray(), h.ClassNames.ToArray(), h.Encoders.ToDictionary(), RuntimeIdentity));
    }

    private bool Mine(long id) => id >= 0 && _layout.ShardOf(id) == _shard;

    private ShardItem Global(IndexItem item) => new(_layout.GlobalId(_shard, item.Id), item.Key, item.Medium, item.Label, item.Source);
}

/// <summary>Reads the layout from the storage folder on the silo that takes the call (no shard grain is activated).</summary>
[StatelessWorker]
internal sealed class ClusterLayoutGrain(IOptions<ShardStorageOptions> storage) : Grain, IClusterLayoutGrain
{
    public Task<int> Shards() => Task.FromResult(ShardLayout.Read(storage.Value.Folder).Shards);
}
