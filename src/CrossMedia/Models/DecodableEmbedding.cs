using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Media;

namespace CrossMedia.Models;

/// <summary>
/// Embedding where a source that cannot be decoded may be left out (a dataset under evaluation, an
/// index built with --skip-bad): the item is dropped with its label and reported, never given a
/// made-up vector. Models themselves are strict (<see cref="UndecodableMediaException"/>).
/// </summary>
internal static class DecodableEmbedding
{
    /// <summary>
    /// The embeddings of the items of <paramref name="input"/> that decode, and their positions in it; the others go
    /// to <paramref name="problems"/>.
    /// </summary>
    public static (Matrix Embeddings, int[] Kept) EmbedDecodable(this IEmbeddingModel model, EmbeddingInput input, ICollection<MediaProblem> problems,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return (model.Embed(input, progress, cancellationToken), Enumerable.Range(0, input.Count).ToArray());
        }
        catch (UndecodableMediaException e) when (input.Sources is { } sources)
        {
            foreach (var p in e.Problems) problems.Add(p);
            var bad = e.Problems.Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
            var kept = Enumerable.Range(0, input.Count).Where(i => !bad.Contains(sources[i].Name)).ToArray();
            return (kept.Length == 0 ? new Matrix(0, model.EmbeddingDimension) : model.Embed(input.Select(kept), cancellationToken: cancellationToken), kept);
        }
    }

    /// <summary>
    /// The same for a dataset medium: the embeddings of its items that decode, and those items
    /// (<see cref="Medium.Select(IReadOnlyList{int})"/> of the medium).
    /// </summary>
    public static (Matrix Embeddings, Medium Kept) EmbedDecodable(this IEmbeddingModel model, Medium medium, ICollection<MediaProblem> problems)
    {
        var (embeddings, kept) = model.EmbedDecodable(EmbeddingInput.Of(medium), problems);
        return (embeddings, kept.Length == medium.Count ? medium : medium.Select(kept));
    }
}
