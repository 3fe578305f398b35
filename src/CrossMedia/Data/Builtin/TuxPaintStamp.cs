namespace CrossMedia.Data.Builtin;

/// <summary>
/// One TuxPaint stamp: its id (path under the stamps root without extension), category
/// folders, picture, optional English description file, optional sound and spoken description.
/// </summary>
internal sealed record TuxPaintStamp(string Id, IReadOnlyList<string> Folders, string Picture, string? Description,
    string? Sound, string? SpokenDescription)
{
    /// <summary>
    /// Every stamp under <paramref name="root"/>, sorted by id. A stamp is a picture (PNG preferred
    /// over SVG when both exist); `name_mirror.png` next to `name.png|svg` is TuxPaint's mirrored
    /// variant of the same stamp and is not a stamp of its own. Its sound is `name.ogg|wav` (a
    /// sound effect or the spoken name), its spoken description `name_desc.ogg|wav` (English);
    /// `name_LANG.ogg` and `name_desc_LANG.ogg` are other languages and are not used.
    /// </summary>
    public static IReadOnlyList<TuxPaintStamp> Discover(string root)
    {
        if (!Directory.Exists(root))
            throw new InputException(root, "", "the TuxPaint stamps folder (apt-get install tuxpaint-stamps-default)", "no such folder");
        var files = new HashSet<string>(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories), StringComparer.Ordinal);
        string? Existing(string stem, params string[] exts) => exts.Select(e => stem + e).FirstOrDefault(files.Contains);
        var stems = files
            .Where(f => f.EndsWith(".png", StringComparison.Ordinal) || f.EndsWith(".svg", StringComparison.Ordinal))
            .Select(f => f[..^4])
            .Distinct()
            .Where(s => !(s.EndsWith("_mirror", StringComparison.Ordinal) && Existing(s[..^7], ".png", ".svg") is not null))
            .Order(StringComparer.Ordinal);
        var stamps = new List<TuxPaintStamp>();
        foreach (var stem in stems)
        {
            var id = Path.GetRelativePath(root, stem).Replace('\\', '/');
            var folders = id.Split('/')[..^1];
            if (folders.Length == 0) continue; // a picture directly in the root has no category
            stamps.Add(new TuxPaintStamp(id, folders, Existing(stem, ".png", ".svg")!, Existing(stem, ".txt"),
                Existing(stem, ".ogg", ".wav"), Existing(stem + "_desc", ".ogg", ".wav")));
        }
        return stamps;
    }

    /// <summary>The class name at a folder depth (1 = top category).</summary>
    public string ClassAt(int depth) => string.Join("/", Folders.Take(depth));
}
