namespace CrossMedia.Service.Contracts;

/// <summary>POST /items body: a media file (base64) or a vector to embed and add.</summary>
/// <param name="Key">The item's own id; defaults to the file name.</param>
/// <param name="File">Media file, base64-encoded; kept in the service's media folder.</param>
/// <param name="Filename">File name; its extension picks the medium.</param>
/// <param name="Vector">Feature vector (of medium From) or common-space vector (From = "embedding").</param>
/// <param name="From">What Vector holds.</param>
/// <param name="Medium">Medium of a vector item (default: From, or "vector").</param>
/// <param name="Label">Class index, or -1.</param>
public sealed record AddItemRequest(string? Key = null, string? File = null, string? Filename = null, float[]? Vector = null,
    string? From = null, string? Medium = null, int Label = -1);
