using System.Globalization;
using CrossMedia.Core;
using CrossMedia.Media;
using CrossMedia.Models;

namespace CrossMedia.Index;

/// <summary>
/// Runs <see cref="SearchQuery"/>s against an index: validates a query (the one place for the CLI, the service and
/// library users), turns it into vectors of the index's space with <see cref="Encoder"/> and searches.
/// </summary>
public sealed class Searcher(EmbeddingIndex index, QueryEncoder encoder)
{
    /// <summary>The largest k any search may ask for.</summary>
    public const int KLimit = 10_000;

    /// <summary>What errors about a query name as its location.</summary>
    public const string Location = "query";

    public EmbeddingIndex Index => index;

    public QueryEncoder Encoder => encoder;

    /// <summary>The largest k this searcher answers (1..<see cref="KLimit"/>).</summary>
    public int MaxK { get; init; } = KLimit;

    /// <summary>
    /// A searcher of <paramref name="index"/> with the model it was built with (another model is refused:
    /// <see cref="ModelIdentity.Check"/>). Without a model only vectors of the common space can be searched.
    /// </summary>
    public static Searcher Open(EmbeddingIndex index, IEmbeddingModel? model, string? modelDirectory)
    {
        if (model is not null) ModelIdentity.Check(index, model, modelDirectory ?? throw new ArgumentNullException(nameof(modelDirectory)));
        return new Searcher(index, new QueryEncoder(model, index.Dimension));
    }

    /// <summary>The nearest items of each query (one list per query row, best first).</summary>
    public IReadOnlyList<SearchHit[]> Search(SearchQuery query)
    {
        Validate(query);
        var filter = Filter(query.Media, query.Labels);
        if (query.Item is not { } item) return index.Search(Encode(query), query.K, filter, query.Exact);
        // An item's own vector always ranks first: ask for one more and leave the item out.
        return index.Search(Encode(query), query.K + 1, filter, query.Exact).Select(hits => hits.Where(h => h.Item.Id != item).Take(query.K).ToArray()).ToArray();
    }

    /// <summary>Refuses a query this searcher cannot answer, naming the field, before anything is encoded.</summary>
    public void Validate(SearchQuery query)
    {
        int given = (query.Text is null ? 0 : 1) + (query.File is null ? 0 : 1) + (query.Vectors is null ? 0 : 1) + (query.Item is null ? 0 : 1);
        if (given != 1) throw new InputException(Location, "", "exactly one of text, file, vector or item", given == 0 ? "none" : "several");
        if (query.K < 1 || query.K > MaxK)
            throw new InputException(Location, "k", $"1..{MaxK}", query.K.ToString(CultureInfo.InvariantCulture));
        if (query.Text is { Length: > SearchQuery.MaxTextLength } text)
            throw new InputException(Location, "text", $"at most {SearchQuery.MaxTextLength} characters", text.Length.ToString(CultureInfo.InvariantCulture));
        if (query.Vectors is { Rows: 0 }) throw new InputException(Location, "vector", "at least one query vector", "none");
        if (query.File is { Content: not null } upload) MediaTypes.MediumOfUpload(Location, upload.Name);
        Filter(query.Media, query.Labels);
        if (query.Item is { } id && index.Get(id) is null)
            throw new InputException(Location, "item", "the id of an item of the index", id.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The filter of some media and labels of this index (null: neither given); an unknown medium or a label the
    /// index cannot hold is refused, naming the field (medium, label).
    /// </summary>
    public SearchFilter? Filter(IReadOnlyCollection<string>? media, IReadOnlyCollection<int>? labels)
    {
        var known = index.Header.Media;
        if (media?.FirstOrDefault(m => !known.Contains(m)) is { } unknown)
            throw new InputException(Location, "medium", $"one of {string.Join(", ", known)}", InputException.Excerpt(unknown));
        foreach (var label in labels ?? []) IndexFile.CheckLabel(label, index.ClassNames.Count, Location, "label");
        var m = media is { Count: > 0 } ? media.ToHashSet() : null;
        var l = labels is { Count: > 0 } ? labels.ToHashSet() : null;
        return m is null && l is null ? null : new SearchFilter(m, l);
    }

    /// <summary>The query as vectors of the index's space, one row per query.</summary>
    internal Matrix Encode(SearchQuery query)
    {
        if (query.Item is { } item) return index.VectorOf(item) ?? throw new InputException(Location, "item", "the id of an item of the index", item.ToString(CultureInfo.InvariantCulture));
        if (query.Text is { } text) return encoder.EncodeText(text);
        if (query.Vectors is { } v)
            return v.Rows == 1 ? encoder.EncodeVector(v.Row(0).ToArray(), query.From)
                : Matrix.VStack(Enumerable.Range(0, v.Rows).Select(i => encoder.EncodeVector(v.Row(i).ToArray(), query.From)).ToArray());
        var file = query.File!;
        if (file.Content is null) return encoder.EncodeFile(file.Name);
        // An upload is decoded in memory under its (sanitised) name, which errors show; nothing is written to disk.
        return encoder.Encode(MediaSource.FromBytes(file.Content, MediaTypes.SafeFileName(file.Name)), MediaTypes.MediumOfUpload(Location, file.Name));
    }
}
