using CrossMedia.Index;
using Orleans;

namespace CrossMedia.Cluster;

/// <summary>One shard of a sharded index: a grain (integer key = shard number) owning the index file
/// <c>STORAGE/shard-K/index.cmi</c>. Ids are cluster-wide (<see cref="ShardLayout"/>); a shard answers for its own only.</summary>
public interface IShardGrain : IGrainWithIntegerKey
{
    /// <summary>The shard's k best items per query row (rows of <paramref name="dimension"/> floats), best first;
    /// <paramref name="exact"/>: scan the vectors even when the shard has an HNSW graph.</summary>
    Task<ShardSearchResult> Search(float[] queries, int dimension, int k, string[]? media, int[]? labels, bool exact);

    Task<ShardItem?> Get(long id);

    Task<float[]?> VectorOf(long id);

    /// <summary>Adds items; returns them with their cluster-wide ids once the shard's log holds them (durable).</summary>
    Task<ShardAddResult> Add(ShardNewItem[] items, float[] vectors);

    /// <summary>Removes the items of these ids this shard holds; returns how many were present.</summary>
    Task<int> Remove(long[] ids);

    /// <summary>How many live items pass the filter, and the first <paramref name="take"/> of them in id order (a page of a
    /// listing merged over the shards without moving every item).</summary>
    Task<ShardPage> Page(string[]? media, int[]? labels, int take);

    /// <summary>Live items per medium and per label.</summary>
    Task<ShardCounts> Counts();

    /// <summary>The layout and index header (the same on every shard) and this shard's item count.</summary>
    Task<ShardInfo> Info();
}

/// <summary>The storage folder's layout, answered by whichever silo takes the call (a stateless worker, key 0): how
/// many shards there are, known without asking any shard (a client learns it while shard 0 does not answer).</summary>
public interface IClusterLayoutGrain : IGrainWithIntegerKey
{
    Task<int> Shards();
}

[GenerateSerializer, Immutable]
public sealed record ShardItem([property: Id(0)] long Id, [property: Id(1)] string Key, [property: Id(2)] string Medium,
    [property: Id(3)] int Label, [property: Id(4)] string Source)
{
    public IndexItem ToIndexItem() => new(Id, Key, Medium, Label, Source);
}

[GenerateSerializer, Immutable]
public sealed record ShardNewItem([property: Id(0)] string Key, [property: Id(1)] string Medium, [property: Id(2)] int Label, [property: Id(3)] string Source);

[GenerateSerializer, Immutable]
public sealed record ShardHit([property: Id(0)] ShardItem Item, [property: Id(1)] float Score);

/// <summary>Bad input found by a shard (an <see cref="InputException"/> there), carried back so the caller raises it again.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardRefusal([property: Id(0)] string Location, [property: Id(1)] string Field, [property: Id(2)] string Expected, [property: Id(3)] string Found)
{
    public static ShardRefusal Of(InputException e) => new(e.Location, e.Field, e.Expected, e.Found);
    public InputException ToException() => new(Location, Field, Expected, Found);
}

[GenerateSerializer, Immutable]
public sealed record ShardSearchResult([property: Id(0)] ShardHit[][] Hits, [property: Id(1)] ShardRefusal? Refusal);

[GenerateSerializer, Immutable]
public sealed record ShardAddResult([property: Id(0)] ShardItem[] Added, [property: Id(1)] ShardRefusal? Refusal);

[GenerateSerializer, Immutable]
public sealed record ShardInfo([property: Id(0)] int Shards, [property: Id(1)] int Count, [property: Id(2)] string Method, [property: Id(3)] string ModelSha256,
    [property: Id(4)] int Dimension, [property: Id(5)] string Metric, [property: Id(6)] string[] Media, [property: Id(7)] string[] ClassNames,
    [property: Id(8)] Dictionary<string, string> Encoders, [property: Id(9)] string Silo);

[GenerateSerializer, Immutable]
public sealed record ShardPage([property: Id(0)] int Matching, [property: Id(1)] ShardItem[] First);

[GenerateSerializer, Immutable]
public sealed record ShardCounts([property: Id(0)] Dictionary<string, int> ByMedium, [property: Id(1)] Dictionary<int, int> ByLabel);
