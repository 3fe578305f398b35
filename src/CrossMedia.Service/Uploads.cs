namespace CrossMedia.Service;

/// <summary>
/// Media the service stored for POST /items: each file in a folder of its own, named by a GUID,
/// directly inside the media folder. Only such folders are ever deleted; an item's source outside
/// them is a user's own file (from <c>index build</c> or <c>index add</c>) and is never touched.
/// </summary>
internal static class Uploads
{
    /// <summary>A new, empty folder for one upload.</summary>
    public static string NewFolder(string mediaFolder) =>
        Directory.CreateDirectory(Path.Combine(mediaFolder, Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Deletes the stored copy of <paramref name="source"/> if the service made it; otherwise does nothing.</summary>
    public static void DeleteStored(string mediaFolder, string? source)
    {
        if (string.IsNullOrEmpty(source)) return;
        var folder = Path.GetDirectoryName(Path.GetFullPath(source));
        if (folder is null || !Guid.TryParseExact(Path.GetFileName(folder), "N", out _)) return;
        if (Path.GetDirectoryName(folder) != Path.TrimEndingDirectorySeparator(Path.GetFullPath(mediaFolder))) return;
        // The item is gone from the index either way; a copy that cannot be deleted now is only disk space.
        try { Directory.Delete(folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
