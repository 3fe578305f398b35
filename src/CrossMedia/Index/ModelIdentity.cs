using System.Text;
using CrossMedia.Core;
using CrossMedia.Models;

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

    /// <summary>
    /// Refuses a model other than the one <paramref name="index"/> was built with: its vectors would live in another
    /// space, so every search would be silently wrong. The embedding dimension must match, and the identity too when
    /// the index recorded one (an index of precomputed vectors built without a model records none).
    /// </summary>
    public static void Check(EmbeddingIndex index, IEmbeddingModel model, string modelDirectory)
    {
        if (model.EmbeddingDimension != index.Dimension)
            throw new InputException(modelDirectory, "embedding dimension", $"{index.Dimension} (the index's)", model.EmbeddingDimension.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (index.ModelSha256 == "") return;
        var sha = Of(modelDirectory);
        if (sha != index.ModelSha256)
            throw new InputException(modelDirectory, "model", $"the model the index was built with ({index.Method} {index.ModelSha256[..12]}…)", $"{model.Method} {sha[..12]}…");
    }
}
