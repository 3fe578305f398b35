using CrossMedia.Core;

namespace CrossMedia.Evaluation;

/// <summary>
/// mAP of a query set against a gallery, as the field reports it (see docs/methods/evaluation.md):
/// AP(q) = (1/R)·Σ_{k: item k relevant} P@k over the whole gallery ranked by distance, R = relevant
/// gallery items; a query with R = 0 scores 0 and counts. With TopK = K: only the first K results,
/// normalised by the relevant items found there (the reference code's k &gt; 0 behaviour).
/// <para>
/// Ties are ranked by (distance, gallery index): a stable order, so results are reproducible. The
/// reference code (numpy argsort = unstable quicksort) may order tied items differently, which can
/// change its AP in the last digits when a relevant and an irrelevant item tie. The reference also cuts
/// the ranking at the number of queries (a bug when gallery ≠ query count, e.g. X→All); here the
/// whole gallery is ranked.
/// </para>
/// <para>Distances are float32: cosine ranks by descending similarity of L2-normalised rows (not by
/// 1 − cos rounded to float, which would merge close similarities into ties); Euclidean by
/// ‖g‖² − 2 q·g; a zero row has cosine similarity 0 with everything.</para>
/// </summary>
public static class Retrieval
{
    public static MapResult MeanAveragePrecision(Matrix queries, int[] queryLabels, Matrix gallery, int[] galleryLabels,
        RetrievalOptions? options = null, int[]? querySelfIndex = null)
    {
        Check(queries, queryLabels.Length, gallery, galleryLabels.Length, querySelfIndex);
        return Map(queries, gallery, Relevance.SingleLabel(queryLabels, galleryLabels), options ?? new RetrievalOptions(), querySelfIndex);
    }

    /// <summary>Multi-label variant: a gallery item is relevant when it shares at least one label with the query.</summary>
    public static MapResult MeanAveragePrecision(Matrix queries, IReadOnlyList<int[]> queryLabelSets, Matrix gallery,
        IReadOnlyList<int[]> galleryLabelSets, RetrievalOptions? options = null, int[]? querySelfIndex = null)
    {
        Check(queries, queryLabelSets.Count, gallery, galleryLabelSets.Count, querySelfIndex);
        return Map(queries, gallery, Relevance.MultiLabel(queryLabelSets, galleryLabelSets), options ?? new RetrievalOptions(), querySelfIndex);
    }

    /// <summary>AP of one query from the ascending 1-based ranks of its relevant items; topK 0 = no cut.</summary>
    public static double AveragePrecision(ReadOnlySpan<int> relevantRanks, int topK = 0)
    {
        double sum = 0;
        int found = 0;
        foreach (var rank in relevantRanks)
        {
            if (topK > 0 && rank > topK) break;
            found++;
            sum += found / (double)rank;
        }
        return found == 0 ? 0 : sum / found;
    }

    /// <summary>
    /// Expected AP of a uniformly random ranking of <paramref name="gallery"/> items of which
    /// <paramref name="relevant"/> are relevant: E[AP] = (H_N + (N − H_N)(R − 1)/(N − 1))/N, H_N the N-th
    /// harmonic number (item k is relevant with probability R/N and then expects 1 + (k − 1)(R − 1)/(N − 1)
    /// relevant items in the first k); 0 without relevant items.
    /// </summary>
    public static double ChanceAveragePrecision(int relevant, int gallery) => ChanceAveragePrecision(relevant, gallery, Harmonic(gallery));

    /// <summary><see cref="ChanceAveragePrecision(int, int)"/> with H_N given (a whole evaluation shares one or two gallery sizes).</summary>
    private static double ChanceAveragePrecision(int relevant, int gallery, double harmonic)
    {
        if (relevant < 0 || relevant > gallery) throw new ArgumentOutOfRangeException(nameof(relevant), relevant, $"0 to the gallery size {gallery}");
        if (relevant == 0) return 0;
        double rest = gallery == 1 ? 0 : (gallery - harmonic) * (relevant - 1) / (gallery - 1);
        return (harmonic + rest) / gallery;
    }

    /// <summary>H_n = 1 + 1/2 + … + 1/n.</summary>
    private static double Harmonic(int n)
    {
        double h = 0;
        for (int k = 1; k <= n; k++) h += 1.0 / k;
        return h;
    }

    /// <summary>
    /// Whether a ranking of <paramref name="gallery"/> by <paramref name="queries"/> is degenerate: every
    /// gallery row is the same vector (each query's scores all tie) or every query row is (all queries get
    /// one ranking). "The same" allows float32 noise: within 1e-6 of the first row's largest magnitude.
    /// </summary>
    public static bool IsDegenerate(Matrix queries, Matrix gallery) => AllRowsAlike(gallery) || AllRowsAlike(queries);

    private static bool AllRowsAlike(Matrix m)
    {
        if (m.Rows < 2) return false;
        var first = m.Row(0);
        float scale = 0;
        foreach (var x in first) scale = Math.Max(scale, Math.Abs(x));
        float tolerance = 1e-6f * scale;
        for (int i = 1; i < m.Rows; i++)
        {
            var row = m.Row(i);
            for (int j = 0; j < row.Length; j++)
                if (!(Math.Abs(row[j] - first[j]) <= tolerance)) return false;
        }
        return true;
    }

    /// <summary>
    /// <paramref name="map"/> with its chance level, whether it is at chance, and whether the ranking is
    /// degenerate: what every mAP figure carries so that a table can say when it is no result.
    /// </summary>
    internal static MapResult Judge(MapResult map, int[] relevant, Matrix queries, Matrix gallery, int[]? self, RetrievalOptions options)
    {
        var chance = ChancePerQuery(relevant, gallery.Rows, self, options);
        double level = double.NaN;
        if (chance is not null)
        {
            double sum = 0; // in query order, so the level is reproducible to the last bit
            foreach (var c in chance) sum += c;
            level = chance.Length == 0 ? 0 : sum / chance.Length;
        }
        return map with
        {
            Chance = level,
            AtChance = chance is not null && IsAtChance(map.AveragePrecisions, chance),
            Degenerate = IsDegenerate(queries, gallery),
        };
    }

    /// <summary>The chance AP of each query given its relevant count (null with a top-K cut, which the formula does not cover).</summary>
    private static double[]? ChancePerQuery(int[] relevant, int galleryRows, int[]? self, RetrievalOptions options)
    {
        if (options.TopK > 0) return null;
        // The gallery is the same for every query but for a query that is itself in it (X→All): one fewer item.
        double whole = Harmonic(galleryRows), withoutSelf = Harmonic(galleryRows - 1);
        var chance = new double[relevant.Length];
        for (int q = 0; q < relevant.Length; q++)
            chance[q] = options.ExcludeSelf && self is not null && self[q] >= 0
                ? ChanceAveragePrecision(relevant[q], galleryRows - 1, withoutSelf)
                : ChanceAveragePrecision(relevant[q], galleryRows, whole);
        return chance;
    }

    /// <summary>
    /// Whether a ranking's mAP is at chance: not clearly above what a random ranking of the same gallery
    /// expects. Per query, d = AP − chance AP has mean 0 under a random ranking; the mAP is at chance when
    /// the mean of d is at most 3 standard errors (sample standard deviation of d / √queries) — a one-sided
    /// test that a random ranking passes about 999 times in 1,000, whatever the gallery size, the class
    /// sizes or the number of queries (a fixed tolerance would be too loose for thousands of queries and too
    /// strict for ten). A mAP below chance counts as at chance too: the model has learned nothing useful.
    /// Every query equal to its chance (e.g. every item relevant, or none) is at chance; fewer than two
    /// queries cannot be judged and are not flagged.
    /// </summary>
    internal static bool IsAtChance(IReadOnlyList<double> averagePrecisions, IReadOnlyList<double> chance)
    {
        int n = averagePrecisions.Count;
        if (n < 2) return false;
        double mean = 0;
        for (int q = 0; q < n; q++) mean += averagePrecisions[q] - chance[q];
        mean /= n;
        double squares = 0;
        for (int q = 0; q < n; q++)
        {
            double e = averagePrecisions[q] - chance[q] - mean;
            squares += e * e;
        }
        double standardError = Math.Sqrt(squares / (n - 1) / n);
        return mean <= AtChanceStandardErrors * standardError;
    }

    /// <summary>How many standard errors above chance a mAP must be to count as a result (<see cref="IsAtChance"/>).</summary>
    internal const double AtChanceStandardErrors = 3;

    private static MapResult Map(Matrix queries, Matrix gallery, Relevance relevance, RetrievalOptions options, int[]? self)
    {
        var ap = new double[queries.Rows];
        var relevant = new int[queries.Rows];
        RankingEngine.Run<object?>(queries, gallery, relevance, options, self, () => null,
            (_, q, ranks) =>
            {
                ap[q] = AveragePrecision(ranks, options.TopK);
                relevant[q] = ranks.Length;
            },
            _ => { });
        double map = 0;
        foreach (var x in ap) map += x;
        return Judge(new MapResult(ap.Length == 0 ? 0 : map / ap.Length, ap.Length, relevant.Count(r => r == 0), ap),
            relevant, queries, gallery, self, options);
    }

    internal static void Check(Matrix queries, int queryLabels, Matrix gallery, int galleryLabels, int[]? querySelfIndex)
    {
        if (queryLabels != queries.Rows)
            throw new ArgumentException($"{queryLabels} query labels for {queries.Rows} query rows");
        if (galleryLabels != gallery.Rows)
            throw new ArgumentException($"{galleryLabels} gallery labels for {gallery.Rows} gallery rows");
        if (queries.Rows > 0 && gallery.Rows > 0 && queries.Cols != gallery.Cols)
            throw new ArgumentException($"query dimension {queries.Cols} differs from gallery dimension {gallery.Cols}");
        if (querySelfIndex is null) return;
        if (querySelfIndex.Length != queries.Rows)
            throw new ArgumentException($"{querySelfIndex.Length} self indices for {queries.Rows} queries");
        foreach (var s in querySelfIndex)
            if (s < -1 || s >= gallery.Rows) throw new ArgumentException($"self index {s} outside the gallery (0..{gallery.Rows - 1} or -1)");
    }
}
