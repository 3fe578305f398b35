using System.Text;
using CrossMedia.Core;

namespace CrossMedia.Index;

/// <summary>
/// The identity of a saved model: SHA-256 over the relative path and SHA-256 of every file in the
/// model directory (model.json and weights), in ordinal path order. An index records it so a
/// search with another model's embeddings is refused rather than silently wrong.
/// </summary>
public static class ModelIdentity
{
    public static string Of(string directory)
    {
        if (!Directory.Exists(directory))
            throw new InputException(directory, "", "a model directory", "no such directory");
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
            .Where(f => !Path.GetFileName(f).StartsWith('.'))  // temp files of atomic writes
            .Order(StringComparer.Ordinal)
            .ToArray();
        var text = new StringBuilder();
        foreach (var f in files) text.Append(f).Append('\t').Append(Checksum.Sha256File(Path.Combine(directory, f))).Append('\n');
        return Checksum.Sha256(text.ToString());
    }
}
