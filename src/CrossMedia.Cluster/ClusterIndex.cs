using CrossMedia.Core;
using CrossMedia.Index;
using Orleans;

namespace CrossMedia.Cluster;

/// <summary>What a scatter to every shard gathered: merged results, and the shards that did not answer (a partial answer).</summary>
public sealed record ClusterSearchResult(IReadOnlyList<SearchHit[]> Hits, IReadOnlyList<int> MissingShards)
{
    public bool Partial => MissingShards.Count > 0;
}

/// <summary>A shard that holds the item asked for did not answer (its silo failed; it reactivates elsewhere shortly).</summary>
public sealed class ShardUnavailableException(int shard, Exception inner)
    : Exception($"shard {shard} is unavailable (it moves to another silo after a failure); try again shortly", inner)
{
    public int Shard => shard;
}

/// <summary>
/// The client side of a sharded index: searches scatter to every shard and merge exactly (best score first, ties by
/// lower id, as <see cref="EmbeddingIndex"/> breaks them), so the answer equals one index's over the same items;
/// ids route to their shard (<see cref="ShardLayout"/>); adds go to the shards in turn.
/// </summary>
public sealed class ClusterIndex
{
    private readonly IGrainFactory _grains;
    private int _nextShard;

    public ShardLayout Layout { get; }
    public IndexHeader Header { get; }
    public int Dimension => Header.Dimension;
    public Metric Metric => Header.Metric;

    private ClusterIndex(IGrainFactory grains, ShardInfo info)
    {
        _grains = grains;
        Layout = new ShardLayout(info.Shards);
        Header = new IndexHeader(info.Method, info.ModelSha256, info.Dimension, MetricNames.Parse(info.Metric), info.Media, info.ClassNames, info.Encoders);
        _nextShard = Random.Shared.Next(info.Shards);
    }

    /// <summary>Learns the layout and header from shard 0 or, while it does not answer, from any other shard (retrying while
    /// shards activate, up to <paramref name="timeout"/>).</summary>
    public static async Task<ClusterIndex> ConnectAsync(IGrainFactory grains, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try { return new ClusterIndex(grains, await AnyShardInfo(grains)); }
            catch (Exception e) when (DateTime.UtcNow < deadline && e is not InputException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
            catch (Exception e) when (e is not InputException)
            {
                throw new ClusterUnavailableException($"no shard of the cluster answered within {timeout.TotalSeconds:0} s: {e.Message}");
            }
        }
    }

    /// <summary>Shard 0's info or, when it fails, the first of the other shards' (the layout grain says how many there
    /// are, so no grain is activated for an id that is not a shard); shard 0's failure when none answers.</summary>
    private static async Task<ShardInfo> AnyShardInfo(IGrainFactory grains)
    {
        var zero = grains.GetGrain<IShardGrain>(0).Info();
        try { return await zero; }
        catch (Exception) { /* the others then; shard 0's failure is raised when none answers */ }
        int shards = await grains.GetGrain<IClusterLayoutGrain>(0).Shards();
        var calls = Enumerable.Range(1, shards - 1).Select(s => grains.GetGrain<IShardGrain>(s).Info()).ToList();
        while (calls.Count > 0)
        {
            var done = await Task.WhenAny(calls);
            calls.Remove(done);
            if (!done.IsCompletedSuccessfully) continue;
            _ = Task.WhenAll(calls).ContinueWith(t => t.Exception, TaskScheduler.Default);  // the slower ones, observed
            return done.Result;
        }
        return await zero;
    }

    private IShardGrain Shard(int k) => _grains.GetGrain<IShardGrain>(k);

    /// <summary>The k best items per query row over every shard that answers; the others are listed as missing.
    /// <paramref name="exact"/>: every shard scans its vectors, also where it has an HNSW graph.</summary>
    public async Task<ClusterSearchResult> SearchAsync(Matrix queries, int k, SearchFilter? filter = null, bool exact = false)
    {
        if (queries.Cols != Dimension && queries.Rows > 0)
            throw new InputException("query", "dimension", Dimension.ToString(), queries.Cols.ToString());
        var media = filter?.Media?.ToArray();
        var labels = filter?.Labels?.ToArray();
        var (answers, missing) = await Scatter(g => g.Search(queries.Data, Dimension, k, media, labels, exact));
        var answered = new List<ShardHit[][]>();
        foreach (var answer in answers)
        {
            if (answer is null) continue;
            if (answer.Refusal is { } refusal) throw refusal.ToException();
            answered.Add(answer.Hits);
        }
        var order = Comparer<ShardHit>.Create(Metric == Metric.L2
            ? (a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : a.Item.Id.CompareTo(b.Item.Id)
            : (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Item.Id.CompareTo(b.Item.Id));
        var merged = new SearchHit[queries.Rows][];
        for (int q = 0; q < queries.Rows; q++)
            merged[q] = answered.SelectMany(hits => hits[q]).Order(order).Take(k).Select(h => new SearchHit(h.Item.ToIndexItem(), h.Score)).ToArray();
        return new ClusterSearchResult(merged, missing);
    }

    /// <summary>The live item with this id, or null; <see cref="ShardUnavailableException"/> when its shard does not answer.</summary>
    public async Task<IndexItem?> GetAsync(long id) => id < 0 ? null : (await Call(Layout.ShardOf(id), g => g.Get(id)))?.ToIndexItem();

    /// <summary>The stored vector of the live item with this id (a 1-row query), or null.</summary>
    public async Task<Matrix?> VectorOfAsync(long id) =>
        id < 0 ? null : await Call(Layout.ShardOf(id), g => g.VectorOf(id)) is { } v ? new Matrix(v, 1, v.Length) : null;

    /// <summary>Adds items to one shard (the shards take turns); returns them with their ids once durable there. A shard that
    /// certainly did not take them (its silo refused or is gone) passes them to the next; after a timeout the outcome is
    /// unknown, so that fails rather than risk adding them twice.</summary>
    public async Task<IReadOnlyList<IndexItem>> AddAsync(IReadOnlyList<NewItem> items, Matrix vectors)
    {
        if (items.Count != vectors.Rows) throw new ArgumentException("one item per vector row");
        var request = items.Select(n => new ShardNewItem(n.Key, n.Medium, n.Label, n.Source)).ToArray();
        int first = (int)((uint)Interlocked.Increment(ref _nextShard) % (uint)Layout.Shards);
        for (int attempt = 0; ; attempt++)
        {
            int shard = (first + attempt) % Layout.Shards;
            ShardAddResult result;
            try { result = await Shard(shard).Add(request, vectors.Data); }
            catch (Exception e) when (e is not InputException && e is not TimeoutException && attempt + 1 < Layout.Shards) { continue; }
            catch (Exception e) when (e is not InputException) { throw new ShardUnavailableException(shard, e); }
            if (result.Refusal is { } refusal) throw refusal.ToException();
            return result.Added.Select(a => a.ToIndexItem()).ToArray();
        }
    }

    /// <summary>Removes items by id (each from its shard); returns how many were present.</summary>
    public async Task<int> RemoveAsync(IReadOnlyCollection<long> ids)
    {
        var byShard = ids.Where(id => id >= 0).Distinct().GroupBy(Layout.ShardOf);
        var counts = await Task.WhenAll(byShard.Select(g => Call(g.Key, s => s.Remove(g.ToArray()))));
        return counts.Sum();
    }

    /// <summary>Live items per medium and per label over the shards that answer (no item leaves its shard), and the shards that did not.</summary>
    public async Task<(ItemCounts Counts, IReadOnlyList<int> MissingShards)> CountsAsync()
    {
        var (answers, missing) = await Scatter(g => g.Counts());
        var got = answers.OfType<ShardCounts>().ToArray();
        var counts = new ItemCounts(
            got.SelectMany(c => c.ByMedium).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value)),
            got.SelectMany(c => c.ByLabel).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value)));
        return (counts, missing);
    }

    /// <summary>A page of the live items that pass <paramref name="filter"/>, in id order, and how many pass in all: each shard
    /// sends its first offset + limit matching items, which hold the page (a deep page costs more than the first).</summary>
    public async Task<(int Total, IReadOnlyList<IndexItem> Page, IReadOnlyList<int> MissingShards)> PageAsync(SearchFilter? filter, int offset, int limit)
    {
        int take = (int)Math.Min(int.MaxValue, (long)offset + limit);
        var media = filter?.Media?.ToArray();
        var labels = filter?.Labels?.ToArray();
        var (answers, missing) = await Scatter(g => g.Page(media, labels, take));
        var pages = answers.OfType<ShardPage>().ToArray();
        var page = pages.SelectMany(p => p.First).OrderBy(i => i.Id).Skip(offset).Take(limit).Select(i => i.ToIndexItem()).ToArray();
        return (pages.Sum(p => p.Matching), page, missing);
    }

    /// <summary>Calls every shard at once: each one's answer, null for the shards that failed, which are listed as missing.</summary>
    private async Task<(T?[] Answers, IReadOnlyList<int> Missing)> Scatter<T>(Func<IShardGrain, Task<T>> call) where T : class
    {
        var calls = Enumerable.Range(0, Layout.Shards).Select(s => call(Shard(s))).ToArray();
        try { await Task.WhenAll(calls); }
        catch { /* each call's own outcome is looked at below */ }
        var missing = Enumerable.Range(0, calls.Length).Where(s => !calls[s].IsCompletedSuccessfully).ToArray();
        return (calls.Select(c => c.IsCompletedSuccessfully ? c.Result : null).ToArray(), missing);
    }

    private async Task<T> Call<T>(int shard, Func<IShardGrain, Task<T>> call)
    {
        try { return await call(Shard(shard)); }
        catch (Exception e) when (e is not InputException) { throw new ShardUnavailableException(shard, e); }
    }
}
