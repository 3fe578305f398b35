namespace CrossMedia.Media;

/// <summary>Maps medium names and file extensions to a <see cref="MediaKind"/>.</summary>
internal static class MediaKinds
{
    private static readonly Dictionary<string, MediaKind> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = MediaKind.Image, [".jpg"] = MediaKind.Image, [".jpeg"] = MediaKind.Image,
        [".webp"] = MediaKind.Image, [".gif"] = MediaKind.Image, [".bmp"] = MediaKind.Image,
        [".svg"] = MediaKind.Image,
        [".txt"] = MediaKind.Text, [".text"] = MediaKind.Text,
        [".wav"] = MediaKind.Audio, [".ogg"] = MediaKind.Audio, [".mp3"] = MediaKind.Audio,
        [".flac"] = MediaKind.Audio, [".m4a"] = MediaKind.Audio, [".opus"] = MediaKind.Audio,
        [".aac"] = MediaKind.Audio,
        [".mp4"] = MediaKind.Video, [".avi"] = MediaKind.Video, [".mkv"] = MediaKind.Video,
        [".webm"] = MediaKind.Video, [".mov"] = MediaKind.Video, [".mpg"] = MediaKind.Video,
        [".mpeg"] = MediaKind.Video,
    };

    /// <summary>The kind a file extension denotes, or null when unknown.</summary>
    public static MediaKind? FromExtension(string path) =>
        Extensions.TryGetValue(Path.GetExtension(path), out var kind) ? kind : null;

    /// <summary>The kind of a file of a medium: from the medium's name, else from the file's extension; null when neither says.</summary>
    public static MediaKind? Of(string medium, string path) => FromMediumName(medium) ?? FromExtension(path);

    /// <summary>
    /// The kind a medium name denotes: "image", "text", "audio", "video" and names that start
    /// with one of them (e.g. "video-derived"); null for other names.
    /// </summary>
    public static MediaKind? FromMediumName(string name)
    {
        var lower = name.ToLowerInvariant();
        foreach (var kind in Enum.GetValues<MediaKind>())
            if (lower.StartsWith(kind.ToString().ToLowerInvariant(), StringComparison.Ordinal)) return kind;
        return null;
    }
}
