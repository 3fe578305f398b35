using System.Text.Json.Serialization;

namespace CrossMedia.Service.Contracts;

/// <summary>GET /items answer: one page of the index's items in id order.</summary>
/// <param name="Total">Items that match the filter, over all pages.</param>
/// <param name="Offset">Position of the first item of this page among them.</param>
/// <param name="Items">This page's items.</param>
/// <param name="Partial">Only from a cluster (<c>serve --cluster</c>): true while some shard does not answer.</param>
/// <param name="MissingShards">Only from a cluster: the shards that did not answer (their items are missing from this answer).</param>
public sealed record ItemsResponse(int Total, int Offset, IReadOnlyList<ItemResponse> Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Partial = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? MissingShards = null);
