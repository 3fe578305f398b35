namespace CrossMedia.Evaluation;

/// <summary>
/// Which gallery items are relevant to each query: same label (single-label) or at least one shared
/// label (multi-label). Kept as posting lists per label so a query costs O(R), not O(gallery).
/// </summary>
internal sealed class Relevance
{
    private readonly Dictionary<int, int[]> _postings;
    private readonly int[]? _queryLabels;
    private readonly IReadOnlyList<int[]>? _queryLabelSets;

    public int GalleryCount { get; }
    public int QueryCount => _queryLabels?.Length ?? _queryLabelSets!.Count;
    public bool IsMultiLabel => _queryLabelSets is not null;

    private Relevance(Dictionary<int, int[]> postings, int galleryCount, int[]? queryLabels, IReadOnlyList<int[]>? queryLabelSets)
    {
        _postings = postings;
        GalleryCount = galleryCount;
        _queryLabels = queryLabels;
        _queryLabelSets = queryLabelSets;
    }

    public static Relevance SingleLabel(int[] queryLabels, int[] galleryLabels)
    {
        var lists = new Dictionary<int, List<int>>();
        for (int g = 0; g < galleryLabels.Length; g++)
        {
            if (!lists.TryGetValue(galleryLabels[g], out var list)) lists[galleryLabels[g]] = list = [];
            list.Add(g);
        }
        return new Relevance(lists.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()), galleryLabels.Length, queryLabels, null);
    }

    public static Relevance MultiLabel(IReadOnlyList<int[]> queryLabelSets, IReadOnlyList<int[]> galleryLabelSets)
    {
        var lists = new Dictionary<int, List<int>>();
        for (int g = 0; g < galleryLabelSets.Count; g++)
        {
            foreach (var label in galleryLabelSets[g].Distinct())
            {
                if (!lists.TryGetValue(label, out var list)) lists[label] = list = [];
                list.Add(g);
            }
        }
        return new Relevance(lists.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()), galleryLabelSets.Count, null, queryLabelSets);
    }

    /// <summary>
    /// Writes the relevant gallery indices of query <paramref name="q"/> (without <paramref name="exclude"/>)
    /// to <paramref name="buffer"/> in any order and returns their count. <paramref name="mark"/> (gallery-sized,
    /// all zero) is scratch for multi-label de-duplication and is left all zero.
    /// </summary>
    public int Fill(int q, int exclude, int[] buffer, byte[] mark)
    {
        int n = 0;
        if (_queryLabels is not null)
        {
            if (!_postings.TryGetValue(_queryLabels[q], out var posting)) return 0;
            foreach (var g in posting)
                if (g != exclude) buffer[n++] = g;
            return n;
        }
        foreach (var label in _queryLabelSets![q])
        {
            if (!_postings.TryGetValue(label, out var posting)) continue;
            foreach (var g in posting)
            {
                if (g == exclude || mark[g] != 0) continue;
                mark[g] = 1;
                buffer[n++] = g;
            }
        }
        for (int i = 0; i < n; i++) mark[buffer[i]] = 0;
        return n;
    }
}
