using System.Text.Json.Serialization;

namespace CrossMedia.Service.Contracts;

/// <summary>GET /health answer.</summary>
/// <param name="Status">"ok" while the service answers.</param>
/// <param name="Items">Live items in the index.</param>
/// <param name="Dimension">Dimension of the index's vectors (the model's common space).</param>
/// <param name="Metric">cosine, ip (higher is closer) or l2 (lower is closer).</param>
/// <param name="Method">Method of the model that made the vectors.</param>
/// <param name="Media">Live items per medium.</param>
/// <param name="Mutations">Whether POST/DELETE /items are enabled (an API key is configured).</param>
/// <param name="MaxK">Largest k a search may ask for.</param>
/// <param name="Accepts">What the model takes as a query, in words.</param>
/// <param name="Queries">Kinds of query POST /search takes here: text, file, vector, item.</param>
/// <param name="Classes">Classes with live items, for the label filter.</param>
/// <param name="Partial">Only from a cluster (<c>serve --cluster</c>): true while some shard does not answer.</param>
/// <param name="MissingShards">Only from a cluster: the shards that did not answer (their items are missing from this answer).</param>
public sealed record HealthResponse(string Status, int Items, int Dimension, string Metric, string Method, IReadOnlyDictionary<string, int> Media,
    bool Mutations, int MaxK, string Accepts, IReadOnlyList<string> Queries, IReadOnlyList<ClassResponse> Classes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Partial = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? MissingShards = null);
