using CrossMedia.Core;

namespace CrossMedia.Index;

/// <summary>
/// One search of an index: exactly one of <see cref="Text"/>, <see cref="File"/>, <see cref="Vectors"/> or <see cref="Item"/>,
/// optionally restricted to some media and labels, <see cref="K"/> results per query. The CLI's <c>search</c> and the service's
/// <c>POST /search</c> both build one, and <see cref="Searcher"/> validates and runs it, so both answer the same input
/// the same way. Errors name the fields as text, file, filename, vector, from, item, medium, label and k.
/// </summary>
public sealed record SearchQuery
{
    /// <summary>Longest free-text query, in characters.</summary>
    public const int MaxTextLength = 10_000;

    /// <summary>Free text.</summary>
    public string? Text { get; init; }

    /// <summary>A media file; its medium comes from the extension.</summary>
    public QueryFile? File { get; init; }

    /// <summary>One query per row: features of medium <see cref="From"/>, or vectors of the common space.</summary>
    public Matrix? Vectors { get; init; }

    /// <summary>What <see cref="Vectors"/> hold: a medium name or <see cref="QueryEncoder.Embedding"/>; null: inferred from the length.</summary>
    public string? From { get; init; }

    /// <summary>The id of an item of the index: search with its stored vector (the item itself is left out of the results).</summary>
    public long? Item { get; init; }

    /// <summary>Only items of these media; null or empty: every medium.</summary>
    public IReadOnlyCollection<string>? Media { get; init; }

    /// <summary>Only items with these labels (-1: unlabelled); null or empty: every label.</summary>
    public IReadOnlyCollection<int>? Labels { get; init; }

    /// <summary>Results per query.</summary>
    public int K { get; init; } = 10;

    /// <summary>Search every stored vector even when the index has approximate search (<see cref="EmbeddingIndex.Ann"/>).</summary>
    public bool Exact { get; init; }
}

/// <summary>A query's media file: a file on disk (<paramref name="Content"/> null), or an upload's bytes under its file name.</summary>
public sealed record QueryFile(string Name, byte[]? Content = null);
