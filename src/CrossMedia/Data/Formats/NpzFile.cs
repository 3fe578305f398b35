using System.IO.Compression;

namespace CrossMedia.Data.Formats;

/// <summary>NumPy .npz archives (np.savez / np.savez_compressed): a zip of .npy files, stored or deflated.</summary>
public static class NpzFile
{
    /// <summary>Every array of the archive by name (the entry name without ".npy").</summary>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "", "an existing .npz file", "no such file");
        var result = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue;
                var name = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                using var s = entry.Open();
                result[name] = NpyFile.Read(s, entry.Length, $"{path}:{entry.FullName}");
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
        if (!File.Exists(path)) throw new InputException(path, "", "an existing .npz file", "no such file");
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var entry = zip.GetEntry(name + ".npy") ?? zip.GetEntry(name);
            if (entry is null)
            {
                var names = zip.Entries.Where(e => !e.FullName.EndsWith('/'))
                    .Select(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal) ? e.FullName[..^4] : e.FullName)
                    .Order(StringComparer.Ordinal);
                throw new InputException(path, "array", $"one of {string.Join(", ", names)}", $"'{name}'");
            }
            using var s = entry.Open();
            return NpyFile.Read(s, entry.Length, $"{path}:{entry.FullName}");
        }
        catch (InvalidDataException e)
        {
            throw new InputException(path, "", "a valid .npz (zip) archive", e.Message, e);
        }
    }
}
