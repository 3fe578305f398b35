namespace CrossMedia.Service.Contracts;

/// <summary>GET /items answer: one page of the index's items in id order.</summary>
/// <param name="Total">Items that match the filter, over all pages.</param>
/// <param name="Offset">Position of the first item of this page among them.</param>
/// <param name="Items">This page's items.</param>
public sealed record ItemsResponse(int Total, int Offset, IReadOnlyList<ItemResponse> Items);
