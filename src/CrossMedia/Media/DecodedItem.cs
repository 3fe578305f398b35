namespace CrossMedia.Media;

/// <summary>
/// One decoded item of a medium. Pictures (images, spectrograms) carry one CHW tensor in
/// <see cref="Pixels"/>; videos carry one CHW tensor per sampled frame in <see cref="Frames"/>,
/// all under the video's id so frames stay grouped by video; texts carry <see cref="Text"/>.
/// </summary>
public sealed class DecodedItem
{
    /// <summary>Position of the item in its medium.</summary>
    public required int Row { get; init; }
    /// <summary>The item's id (for video: the video id shared by all its frames).</summary>
    public required string Id { get; init; }
    /// <summary>The item's class; −1 for an inference input, which has none.</summary>
    public int Label { get; init; } = -1;
    public required MediaKind Kind { get; init; }
    /// <summary>The file's path, or the name of an in-memory source (what errors show).</summary>
    public required string Path { get; init; }
    /// <summary>Picture tensor, 3 × Height × Width floats (normalised), for images and audio.</summary>
    public float[]? Pixels { get; init; }
    /// <summary>Per-frame picture tensors (3 × Height × Width each), for video.</summary>
    public IReadOnlyList<float[]>? Frames { get; init; }
    /// <summary>The text, for text items.</summary>
    public string? Text { get; init; }
    /// <summary>Height of the picture tensors (0 for text).</summary>
    public int Height { get; init; }
    /// <summary>Width of the picture tensors (0 for text).</summary>
    public int Width { get; init; }
}
