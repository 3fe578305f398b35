using CrossMedia.Core;

namespace CrossMedia.Evaluation;

/// <summary>The standard table of a cross-media paper: every direction between media (and X→All).</summary>
public static class CrossMediaEvaluation
{
    /// <summary>
    /// Every ordered pair of distinct media (query ≠ gallery), then, when <paramref name="includeAll"/>,
    /// X→All for each medium: the gallery is all media concatenated (in list order) and the query's own
    /// item is excluded when <see cref="RetrievalOptions.ExcludeSelf"/> (false = the reference behaviour,
    /// which keeps it). Multi-label relevance is used when every medium has label sets.
    /// </summary>
    public static IReadOnlyList<DirectionResult> AllDirections(IReadOnlyList<EmbeddedMedium> media, RetrievalOptions? options = null, bool includeAll = false)
    {
        options ??= new RetrievalOptions();
        bool multi = media.Count > 0 && media.All(m => m.LabelSets is not null);
        var results = new List<DirectionResult>();
        foreach (var q in media)
            foreach (var g in media)
                if (!ReferenceEquals(q, g))
                    results.Add(new DirectionResult(q.Name, g.Name, Map(q, g.Embeddings, g.Labels, g.LabelSets, multi, options, null)));
        if (!includeAll || media.Count == 0) return results;

        var all = Matrix.VStack(media.Select(m => m.Embeddings).ToList());
        var allLabels = media.SelectMany(m => m.Labels).ToArray();
        var allSets = multi ? media.SelectMany(m => m.LabelSets!).ToList() : null;
        int offset = 0;
        foreach (var q in media)
        {
            var self = Enumerable.Range(offset, q.Embeddings.Rows).ToArray();
            results.Add(new DirectionResult(q.Name, DirectionResult.AllMedia, Map(q, all, allLabels, allSets, multi, options, self)));
            offset += q.Embeddings.Rows;
        }
        return results;
    }

    private static MapResult Map(EmbeddedMedium q, Matrix gallery, int[] labels, IReadOnlyList<int[]>? sets, bool multi,
        RetrievalOptions options, int[]? self) =>
        multi
            ? Retrieval.MeanAveragePrecision(q.Embeddings, q.LabelSets!, gallery, sets!, options, self)
            : Retrieval.MeanAveragePrecision(q.Embeddings, q.Labels, gallery, labels, options, self);
}
