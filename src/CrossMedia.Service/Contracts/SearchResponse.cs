using System.Text.Json.Serialization;

namespace CrossMedia.Service.Contracts;

/// <summary>POST /search answer.</summary>
/// <param name="Metric">cosine, ip (higher is closer) or l2 (lower is closer).</param>
/// <param name="Results">Best first.</param>
/// <param name="Milliseconds">Time spent encoding and searching.</param>
/// <param name="Partial">Only from a cluster (<c>serve --cluster</c>): true while some shard does not answer.</param>
/// <param name="MissingShards">Only from a cluster: the shards that did not answer (their items are missing from this answer).</param>
public sealed record SearchResponse(string Metric, IReadOnlyList<ItemResponse> Results, double Milliseconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Partial = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? MissingShards = null);
