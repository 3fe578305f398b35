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
}
