namespace CrossMedia.Service.Contracts;

/// <summary>A class of the index's items (for the label filter of POST /search).</summary>
/// <param name="Label">Label number, as items and the search filter use it.</param>
/// <param name="Name">Class name, when the index knows it.</param>
/// <param name="Items">Live items with this label.</param>
public sealed record ClassResponse(int Label, string? Name, int Items);
