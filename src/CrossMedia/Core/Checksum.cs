using System.Security.Cryptography;

namespace CrossMedia.Core;

internal static class Checksum
{
    /// <summary>Lower-case hex SHA-256 of a file's bytes.</summary>
    public static string Sha256File(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Lower-case hex SHA-256 of a text's UTF-8 bytes (fingerprints of settings and keys).</summary>
    public static string Sha256(string text) => Sha256(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// One digest for a set of files, for datasets made of many media files: the SHA-256 of the lines
    /// <c>relative-path TAB file-sha256</c>, sorted by path (ordinal). Any changed, added, removed or renamed file changes it.
    /// </summary>
    public static string Sha256Files(IEnumerable<string> paths, string root)
    {
        var lines = paths.Distinct(StringComparer.Ordinal)
            .Select(p => (Relative: Path.GetRelativePath(root, p), Path: p))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .AsParallel().AsOrdered()
            .Select(f => $"{f.Relative}\t{Sha256File(f.Path)}\n");
        return Sha256(string.Concat(lines));
    }
}
