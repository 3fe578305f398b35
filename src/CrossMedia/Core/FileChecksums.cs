using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrossMedia.Core;

/// <summary>
/// A folder's manifest of its files' sizes and SHA-256 (<see cref="FileName"/>), written after the
/// files and verified before they are read: a truncated or bit-flipped file is refused with one line
/// naming it, never loaded. A folder without a manifest is read unchecked.
/// </summary>
internal static class FileChecksums
{
    public const string FileName = "checksums.json";

    /// <summary>Records <paramref name="files"/> (names in <paramref name="directory"/>; default: every file there).</summary>
    public static void Write(string directory, IEnumerable<string>? files = null)
    {
        var names = (files ?? Directory.EnumerateFiles(directory).Select(f => Path.GetFileName(f)!)).Where(n => n != FileName).Order(StringComparer.Ordinal);
        var manifest = new JsonObject();
        foreach (var name in names)
        {
            var path = Path.Combine(directory, name);
            manifest[name] = new JsonObject { ["size"] = new FileInfo(path).Length, ["sha256"] = Checksum.Sha256File(path) };
        }
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), new JsonObject { ["files"] = manifest }.ToJsonString());
    }

    /// <summary>Checks every file the manifest lists; throws <see cref="InputException"/> naming the first damaged one.</summary>
    public static void Verify(string directory)
    {
        var manifestPath = Path.Combine(directory, FileName);
        if (!File.Exists(manifestPath)) return;
        JsonObject files;
        try
        {
            files = JsonNode.Parse(File.ReadAllText(manifestPath))?["files"] as JsonObject
                    ?? throw new InputException(manifestPath, "files", "an object of file checksums", "none");
        }
        catch (JsonException e)
        {
            throw new InputException(manifestPath, "", "a checksum manifest", "damaged JSON", e);
        }
        foreach (var (name, entry) in files)
        {
            if (name.Contains('/') || name.Contains('\\') || name is "." or "..")
                throw new InputException(manifestPath, "files", "file names in the folder", "a path");
            var path = Path.Combine(directory, name);
            long size;
            string sha;
            try
            {
                size = entry?["size"]?.GetValue<long>() ?? -1;
                sha = entry?["sha256"]?.GetValue<string>() ?? "";
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new InputException(manifestPath, name, "a size and a sha256", "another value", e);
            }
            if (!File.Exists(path)) throw new InputException(path, "", "a file of this folder (listed in checksums.json)", "no file");
            long actual = new FileInfo(path).Length;
            if (actual != size)
                throw new InputException(path, "size (the file is truncated or damaged)", $"{size} bytes", $"{actual} bytes");
            var found = Checksum.Sha256File(path);
            if (!string.Equals(found, sha, StringComparison.OrdinalIgnoreCase))
                throw new InputException(path, "checksum mismatch: the file is damaged; sha-256", sha, found);
        }
    }
}
