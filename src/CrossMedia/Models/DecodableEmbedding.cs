using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Media;

namespace CrossMedia.Models;

/// <summary>
/// Embedding where a file that cannot be decoded may be left out (a dataset under evaluation, an
/// index built with --skip-bad): the item is dropped with its label and reported, never given a
/// made-up vector. Models themselves are strict (<see cref="UndecodableMediaException"/>).
/// </summary>
internal static class DecodableEmbedding
{
    /// <summary>
    /// The embeddings of the items of <paramref name="medium"/> that decode, and those items
    /// (<see cref="Medium.Select(IReadOnlyList{int})"/> of the medium); the others go to <paramref name="problems"/>.
    /// </summary>
    public static (Matrix Embeddings, Medium Kept) EmbedDecodable(this IEmbeddingModel model, Medium medium, ICollection<MediaProblem> problems)
    {
        try
        {
            return (model.Embed(medium), medium);
        }
        catch (UndecodableMediaException e) when (medium.Files is { } files)
        {
            foreach (var p in e.Problems) problems.Add(p);
            var bad = e.Problems.Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
            var kept = medium.Select(Enumerable.Range(0, medium.Count).Where(i => !bad.Contains(files[i])).ToArray());
            return (kept.Count == 0 ? new Matrix(0, model.EmbeddingDimension) : model.Embed(kept), kept);
        }
    }
}
