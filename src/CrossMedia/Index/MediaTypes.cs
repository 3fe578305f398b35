namespace CrossMedia.Index;

/// <summary>Which medium a media file belongs to (by extension), and its HTTP content type.</summary>
internal static class MediaTypes
{
    private static readonly Dictionary<string, (string Medium, string ContentType)> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = ("image", "image/png"), [".jpg"] = ("image", "image/jpeg"), [".jpeg"] = ("image", "image/jpeg"),
        [".gif"] = ("image", "image/gif"), [".bmp"] = ("image", "image/bmp"), [".webp"] = ("image", "image/webp"),
        [".svg"] = ("image", "image/svg+xml"),
        [".wav"] = ("audio", "audio/wav"), [".ogg"] = ("audio", "audio/ogg"), [".mp3"] = ("audio", "audio/mpeg"),
        [".flac"] = ("audio", "audio/flac"),
        [".mp4"] = ("video", "video/mp4"), [".webm"] = ("video", "video/webm"), [".mkv"] = ("video", "video/x-matroska"),
        [".avi"] = ("video", "video/x-msvideo"), [".mov"] = ("video", "video/quicktime"), [".ogv"] = ("video", "video/ogg"),
        [".txt"] = ("text", "text/plain; charset=utf-8"), [".md"] = ("text", "text/plain; charset=utf-8"),
    };

    public static IReadOnlyCollection<string> Extensions => ByExtension.Keys;

    /// <summary>The medium of a file by its extension, or null for other files.</summary>
    public static string? MediumOf(string path) => ByExtension.TryGetValue(Path.GetExtension(path), out var m) ? m.Medium : null;

    /// <summary>
    /// The medium of an uploaded file by its name's extension; a missing name or an unknown extension is refused as the
    /// <c>filename</c> field of <paramref name="location"/> (the request or query that carried the file).
    /// </summary>
    public static string MediumOfUpload(string location, string? name)
    {
        if (string.IsNullOrEmpty(name)) throw new InputException(location, "filename", "the file's name (its extension gives the medium)", "nothing");
        return MediumOf(name)
            ?? throw new InputException(location, "filename", $"an extension of {string.Join(" ", Extensions)}", InputException.Excerpt(Path.GetExtension(name)));
    }

    /// <summary>An uploaded file's name made safe to keep on disk: its last part, letters, digits, '.', '_' and '-' only.</summary>
    public static string SafeFileName(string name)
    {
        var safe = string.Concat(Path.GetFileName(name).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_'));
        return safe.Trim('.') is { Length: > 0 } s ? s : "upload" + Path.GetExtension(name);
    }

    public static string ContentTypeOf(string path) =>
        ByExtension.TryGetValue(Path.GetExtension(path), out var m) ? m.ContentType : "application/octet-stream";
}
