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

    /// <summary>One array of the archive; names the available ones when it is missing.</summary>
    public static NpyArray Read(string path, string name)
    {
        var arrays = Read(path);
        return arrays.TryGetValue(name, out var a)
            ? a
            : throw new InputException(path, "array", $"one of {string.Join(", ", arrays.Keys.Order(StringComparer.Ordinal))}", $"'{name}'");
    }
}
