using System.IO.Compression;

namespace CrossMedia.Data.Formats;

/// <summary>NumPy .npz archives (np.savez / np.savez_compressed): a zip of .npy files, stored or deflated.</summary>
internal static class NpzFile
{
    /// <summary>Every array of the archive by name (the entry name without ".npy").</summary>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path)
    {
        long length = DataFile.Require(path, "an existing .npz file");
        var result = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue;
                var name = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                result[name] = ReadEntry(path, length, entry);
            }
        }
        catch (InvalidDataException e)
        {
            throw new InputException(path, "", "a valid .npz (zip) archive", e.Message, e);
        }
        return result;
    }

    /// <summary>One array of the archive (only that entry is decompressed); names the available ones when it is missing.</summary>
    public static NpyArray Read(string path, string name)
    {
        long length = DataFile.Require(path, "an existing .npz file");
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var entry = zip.GetEntry(name + ".npy") ?? zip.GetEntry(name);
            if (entry is null)
            {
                var names = zip.Entries.Where(e => !e.FullName.EndsWith('/'))
                    .Select(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal) ? e.FullName[..^4] : e.FullName)
                    .Order(StringComparer.Ordinal);
                throw new InputException(path, "array", $"one of {string.Join(", ", names.Take(20).Select(n => InputException.Escape(n, 40)))}", InputException.Excerpt(name));
            }
            return ReadEntry(path, length, entry);
        }
        catch (InvalidDataException e)
        {
            throw new InputException(path, "", "a valid .npz (zip) archive", e.Message, e);
        }
    }

    /// <summary>
    /// One entry as an array. Its declared size bounds what the array may claim, so that size is
    /// checked first against what the archive can hold: a deflated entry cannot expand beyond
    /// <see cref="DataFile.MaxDeflateRatio"/> times its compressed bytes, which lie inside the archive.
    /// </summary>
    private static NpyArray ReadEntry(string path, long archiveLength, ZipArchiveEntry entry)
    {
        string source = $"{path}:{InputException.Escape(entry.FullName, 40)}";  // the member name is the archive's text
        long compressed = Math.Min(entry.CompressedLength, archiveLength);
        long plausible = compressed * DataFile.MaxDeflateRatio;
        if (entry.Length > plausible)
            throw new InputException(source, "size", $"at most {plausible} bytes from {entry.CompressedLength} compressed bytes in a {archiveLength}-byte archive",
                $"{entry.Length} bytes declared (corrupt zip header)");
        using var s = entry.Open();
        return NpyFile.Read(s, entry.Length, source);
    }
}
