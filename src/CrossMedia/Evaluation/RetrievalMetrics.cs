using CrossMedia.Core;

namespace CrossMedia.Evaluation;

/// <summary>
/// Precision@K, recall@K, precision–recall curves (11-point interpolated and full) and per-class AP,
/// computed in one blockwise pass from the ranks of the relevant items (see <see cref="RankingEngine"/>):
/// exact, and never holding a query × gallery matrix.
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>Cutoffs used when none are given.</summary>
    public static IReadOnlyList<int> DefaultCutoffs { get; } = [1, 5, 10, 20, 50, 100];

    public static RetrievalReport Evaluate(Matrix queries, int[] queryLabels, Matrix gallery, int[] galleryLabels,
        RetrievalOptions? options = null, int[]? querySelfIndex = null, IReadOnlyList<int>? cutoffs = null)
    {
        Retrieval.Check(queries, queryLabels.Length, gallery, galleryLabels.Length, querySelfIndex);
        return Run(queries, gallery, Relevance.SingleLabel(queryLabels, galleryLabels), q => [queryLabels[q]], options, querySelfIndex, cutoffs);
    }

    /// <summary>Multi-label variant (relevant = shares a label); per-class AP counts a query under each of its labels.</summary>
    public static RetrievalReport Evaluate(Matrix queries, IReadOnlyList<int[]> queryLabelSets, Matrix gallery, IReadOnlyList<int[]> galleryLabelSets,
        RetrievalOptions? options = null, int[]? querySelfIndex = null, IReadOnlyList<int>? cutoffs = null)
    {
        Retrieval.Check(queries, queryLabelSets.Count, gallery, galleryLabelSets.Count, querySelfIndex);
        return Run(queries, gallery, Relevance.MultiLabel(queryLabelSets, galleryLabelSets), q => queryLabelSets[q].Distinct().ToArray(), options, querySelfIndex, cutoffs);
    }

    /// <summary>Number of relevant items in the first K, from the ascending relevant ranks.</summary>
    public static int HitsAtK(ReadOnlySpan<int> relevantRanks, int k)
    {
        int lo = 0, hi = relevantRanks.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (relevantRanks[mid] <= k) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// 11-point interpolated precision of one query: at recall level i/10, the highest precision j/rank_j
    /// among the relevant hits j with recall j/R ≥ i/10. Adds the values to <paramref name="sum"/>.
    /// </summary>
    public static void AddInterpolated(ReadOnlySpan<int> relevantRanks, Span<double> sum)
    {
        int r = relevantRanks.Length;
        if (r == 0) return;
        double best = 0;
        int level = 10;
        // Walk hits from the last (recall 1) to the first, keeping the running maximum of precision.
        for (int j = r; j >= 1; j--)
        {
            best = Math.Max(best, j / (double)relevantRanks[j - 1]);
            // Level i is served by hits ≥ j when (j−1)/R < i/10 (integer test); hit 1 serves all the rest.
            while (level >= 0 && (j == 1 || 10L * (j - 1) < (long)level * r))
            {
                sum[level] += best;
                level--;
            }
        }
    }

    /// <summary>Per-thread sums.</summary>
    private sealed class Accumulator(int cutoffs, int gallery)
    {
        public readonly double[] Precision = new double[cutoffs];
        public readonly double[] Recall = new double[cutoffs];
        public readonly double[] Interpolated = new double[11];
        /// <summary>Hits at rank k (difference array of Σ_q hits_q(k)).</summary>
        public readonly long[] HitsAtRank = new long[gallery + 2];
        /// <summary>Σ_q 1/R_q over hits at rank k (difference array of Σ_q recall_q(k)).</summary>
        public readonly double[] RecallAtRank = new double[gallery + 2];

        public void Add(Accumulator o)
        {
            for (int i = 0; i < Precision.Length; i++) { Precision[i] += o.Precision[i]; Recall[i] += o.Recall[i]; }
            for (int i = 0; i < 11; i++) Interpolated[i] += o.Interpolated[i];
            for (int i = 0; i < HitsAtRank.Length; i++) { HitsAtRank[i] += o.HitsAtRank[i]; RecallAtRank[i] += o.RecallAtRank[i]; }
        }
    }

    private static RetrievalReport Run(Matrix queries, Matrix gallery, Relevance relevance, Func<int, int[]> labelsOf,
        RetrievalOptions? options, int[]? self, IReadOnlyList<int>? cutoffList)
    {
        options ??= new RetrievalOptions();
        int[] cutoffs = (cutoffList ?? DefaultCutoffs).ToArray();
        if (cutoffs.Any(k => k <= 0)) throw new ArgumentException("cutoffs must be positive");
        int n = gallery.Rows, q = queries.Rows;
        var ap = new double[q];
        var fullAp = new double[q];
        var empty = new bool[q];
        var relevant = new int[q];
        var total = new Accumulator(cutoffs.Length, n);
        RankingEngine.Run(queries, gallery, relevance, options, self, () => new Accumulator(cutoffs.Length, n),
            (acc, query, ranks) =>
            {
                int r = ranks.Length;
                relevant[query] = r;
                ap[query] = Retrieval.AveragePrecision(ranks, options.TopK);
                fullAp[query] = Retrieval.AveragePrecision(ranks);
                if (r == 0) { empty[query] = true; return; }
                for (int c = 0; c < cutoffs.Length; c++)
                {
                    int hits = HitsAtK(ranks, cutoffs[c]);
                    acc.Precision[c] += hits / (double)cutoffs[c];
                    acc.Recall[c] += hits / (double)r;
                }
                AddInterpolated(ranks, acc.Interpolated);
                foreach (var rank in ranks)
                {
                    acc.HitsAtRank[rank]++;
                    acc.RecallAtRank[rank] += 1.0 / r;
                }
            },
            total.Add);

        double perQuery = q == 0 ? 0 : 1.0 / q;
        var precisionAtK = total.Precision.Select(x => x * perQuery).ToArray();
        var recallAtK = total.Recall.Select(x => x * perQuery).ToArray();
        var interpolated = new PrecisionRecallCurve(PrecisionRecallCurve.ElevenRecallLevels.ToArray(), total.Interpolated.Select(x => x * perQuery).ToArray());
        var fullRecall = new double[n];
        var fullPrecision = new double[n];
        long hitsSoFar = 0;
        double recallSoFar = 0;
        for (int k = 1; k <= n; k++)
        {
            hitsSoFar += total.HitsAtRank[k];
            recallSoFar += total.RecallAtRank[k];
            fullPrecision[k - 1] = hitsSoFar * perQuery / k;
            fullRecall[k - 1] = recallSoFar * perQuery;
        }
        var perClass = new SortedDictionary<int, (double Sum, int Count)>();
        for (int i = 0; i < q; i++)
            foreach (var label in labelsOf(i))
            {
                perClass.TryGetValue(label, out var s);
                perClass[label] = (s.Sum + fullAp[i], s.Count + 1);
            }
        var map = Retrieval.Judge(new MapResult(ap.Sum() * perQuery, q, empty.Count(e => e), ap), relevant, queries, gallery, self, options);
        return new RetrievalReport(map, cutoffs, precisionAtK, recallAtK, interpolated, new PrecisionRecallCurve(fullRecall, fullPrecision),
            perClass.Select(kv => new ClassAveragePrecision(kv.Key, kv.Value.Sum / kv.Value.Count, kv.Value.Count)).ToList());
    }
}
