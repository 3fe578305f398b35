using System.ComponentModel;

namespace CrossMedia.Service.Contracts;

/// <summary>POST /search body: exactly one of Text, File (base64), Vector or Item.</summary>
/// <param name="Text">Free text (needs a model with a text encoder).</param>
/// <param name="File">A media file, base64-encoded.</param>
/// <param name="Filename">Name of the file (its extension picks the medium) when File is given.</param>
/// <param name="Vector">A feature vector of medium From, or a common-space vector (From = "embedding").</param>
/// <param name="From">What Vector holds; inferred from its length when unambiguous.</param>
/// <param name="Medium">Only return items of these media (empty/null: all).</param>
/// <param name="K">Number of results (1..MaxK, default 10).</param>
/// <param name="Label">Only return items of these classes (label numbers as /health lists them; -1: unlabelled items); empty/null: all.</param>
/// <param name="Exact">Search every stored vector even when the index has approximate (HNSW) search (default false).</param>
public sealed record SearchRequest(string? Text = null, string? File = null, string? Filename = null, float[]? Vector = null,
    string? From = null, string[]? Medium = null, int? K = null,
    // An attribute, not a <param>: the OpenAPI generator skips XML docs of a member named Item (the name C# gives indexers).
    [property: Description("Id of an item of the index: search with its stored vector (\"more like this\"); the item itself is left out.")] long? Item = null,
    int[]? Label = null, bool? Exact = null);
