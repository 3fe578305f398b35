namespace CrossMedia.Service.Contracts;

/// <summary>An indexed item as the API shows it.</summary>
/// <param name="Id">Numeric id (stable; used in /items/{id}).</param>
/// <param name="Key">The item's own id (dataset id or file name).</param>
/// <param name="Medium">Medium name.</param>
/// <param name="Label">Class index or -1.</param>
/// <param name="Class">Class name, when known.</param>
/// <param name="Media">URL of the media file, when the item has one.</param>
/// <param name="Snippet">Start of the text, for text items.</param>
/// <param name="Score">Similarity (or squared distance for l2 indexes); search results only.</param>
/// <param name="Kind">What the media file is: image, text, audio or video; null for items without one (feature vectors).</param>
/// <param name="Spectrogram">URL of the spectrogram picture (PNG), for audio items with a media file.</param>
public sealed record ItemResponse(long Id, string Key, string Medium, int Label, string? Class, string? Media, string? Snippet, float? Score,
    string? Kind = null, string? Spectrogram = null);
