using CrossMedia.Cluster;
using CrossMedia.Core;
using CrossMedia.Index;

namespace CrossMedia.Service;

/// <summary>What the service answers from: one index in this process (<see cref="IndexBackend"/>) or an index sharded
/// over an Orleans cluster (<see cref="ClusterBackend"/>). Both validate and encode queries with a <see cref="Searcher"/>.</summary>
internal interface ISearchBackend
{
    IndexHeader Header { get; }

    /// <summary>The index file (the default media folder sits beside it); null when it is not in this process.</summary>
    string? Path { get; }

    /// <summary>Validates queries and filters against the index's media and classes.</summary>
    Searcher Searcher { get; }

    /// <summary>Null for one index; else the shards that did not answer (empty: a full answer).</summary>
    Task<(SearchHit[] Hits, IReadOnlyList<int>? MissingShards)> SearchAsync(SearchQuery query);

    Task<IndexItem?> GetAsync(long id);

    Task<IndexItem> AddAsync(NewItem item, Matrix vector);

    Task<bool> RemoveAsync(long id);

    /// <summary>Live items per medium and per label (of the shards that answered).</summary>
    Task<(ItemCounts Counts, IReadOnlyList<int>? MissingShards)> CountsAsync();

    /// <summary>A page of the live items that pass the filter, in id order, and how many pass (of the shards that answered).</summary>
    Task<(int Total, IReadOnlyList<IndexItem> Page, IReadOnlyList<int>? MissingShards)> PageAsync(SearchFilter? filter, int offset, int limit);
}

internal sealed class IndexBackend(EmbeddingIndex index, Searcher searcher) : ISearchBackend
{
    public IndexHeader Header => index.Header;
    public string? Path => index.Path;
    public Searcher Searcher => searcher;
    public Task<(SearchHit[], IReadOnlyList<int>?)> SearchAsync(SearchQuery query) => Task.FromResult((searcher.Search(query)[0], (IReadOnlyList<int>?)null));
    public Task<IndexItem?> GetAsync(long id) => Task.FromResult(index.Get(id));
    public Task<IndexItem> AddAsync(NewItem item, Matrix vector) => Task.FromResult(index.Add([item], vector)[0]);
    public Task<bool> RemoveAsync(long id) => Task.FromResult(index.Remove([id]) == 1);
    public Task<(ItemCounts, IReadOnlyList<int>?)> CountsAsync() => Task.FromResult((index.Counts(), (IReadOnlyList<int>?)null));
    public Task<(int, IReadOnlyList<IndexItem>, IReadOnlyList<int>?)> PageAsync(SearchFilter? filter, int offset, int limit)
    {
        var (total, page) = index.Page(filter, offset, limit);
        return Task.FromResult((total, page, (IReadOnlyList<int>?)null));
    }
}

/// <summary>The cluster's answers: queries are validated against an empty index of the cluster's header (same media,
/// classes and dimension), encoded here and scattered to the shards.</summary>
internal sealed class ClusterBackend(ClusterIndex cluster, QueryEncoder encoder, int maxK) : ISearchBackend, IDisposable
{
    private readonly EmbeddingIndex _shape = EmbeddingIndex.Create(cluster.Header);

    public IndexHeader Header => cluster.Header;
    public string? Path => null;
    public Searcher Searcher => field ??= new Searcher(_shape, encoder) { MaxK = maxK };

    public async Task<(SearchHit[], IReadOnlyList<int>?)> SearchAsync(SearchQuery query)
    {
        if (query.Item is not { } item)
        {
            Searcher.Validate(query);
            var result = await cluster.SearchAsync(Searcher.Encode(query), query.K, Searcher.Filter(query.Media, query.Labels), query.Exact);
            return (result.Hits[0], result.MissingShards);
        }
        if (query.Text is not null || query.File is not null || query.Vectors is not null) Searcher.Validate(query);  // refuses "several"
        var vector = await cluster.VectorOfAsync(item)
            ?? throw new InputException(Searcher.Location, "item", "the id of an item of the index", item.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Searcher.Validate(query with { Item = null, Vectors = vector, From = QueryEncoder.Embedding });
        // As Searcher does for one index: the item's own vector ranks first, so one more is asked for and the item left out.
        var r = await cluster.SearchAsync(vector, query.K + 1, Searcher.Filter(query.Media, query.Labels), query.Exact);
        return (r.Hits[0].Where(h => h.Item.Id != item).Take(query.K).ToArray(), r.MissingShards);
    }

    public Task<IndexItem?> GetAsync(long id) => cluster.GetAsync(id);
    public async Task<IndexItem> AddAsync(NewItem item, Matrix vector) => (await cluster.AddAsync([item], vector))[0];
    public async Task<bool> RemoveAsync(long id) => await cluster.RemoveAsync([id]) == 1;
    public async Task<(ItemCounts, IReadOnlyList<int>?)> CountsAsync() => await cluster.CountsAsync();
    public async Task<(int, IReadOnlyList<IndexItem>, IReadOnlyList<int>?)> PageAsync(SearchFilter? filter, int offset, int limit) =>
        await cluster.PageAsync(filter, offset, limit);

    public void Dispose() => _shape.Dispose();
}
