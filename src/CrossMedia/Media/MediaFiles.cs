namespace CrossMedia.Media;

/// <summary>
/// Files of one medium for <see cref="MediaDecoder"/>: each file's path, id and class, and the medium's name, which says
/// the kind ("image", "audio", "video-derived", ...) where the file's extension does not. A dataset's medium gives them
/// with <c>Medium.ToMediaFiles()</c>.
/// </summary>
public sealed record MediaFiles(string Medium, IReadOnlyList<string> Paths, IReadOnlyList<string> Ids, IReadOnlyList<int> Labels)
{
    public int Count => Paths.Count;
}
