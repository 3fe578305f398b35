namespace CrossMedia.Evaluation;

/// <summary>
/// Every retrieval view of one direction. Averages are over all queries; a query without relevant
/// items contributes 0 (as in mAP). <see cref="Map"/> honours <see cref="RetrievalOptions.TopK"/>; the
/// other views use the whole ranking.
/// </summary>
/// <param name="Map">mAP (or mAP@K) and AP per query.</param>
/// <param name="Cutoffs">The K of <paramref name="PrecisionAtK"/> and <paramref name="RecallAtK"/>.</param>
/// <param name="PrecisionAtK">Mean precision of the first K results, per cutoff.</param>
/// <param name="RecallAtK">Mean fraction of the relevant items found in the first K, per cutoff.</param>
/// <param name="Interpolated">11-point interpolated curve: at recall r, the mean over queries of the best precision at recall ≥ r.</param>
/// <param name="Full">Mean P@k against mean R@k for every k = 1..gallery size.</param>
/// <param name="PerClass">Mean AP per query class, by label.</param>
public sealed record RetrievalReport(
    MapResult Map,
    int[] Cutoffs,
    double[] PrecisionAtK,
    double[] RecallAtK,
    PrecisionRecallCurve Interpolated,
    PrecisionRecallCurve Full,
    IReadOnlyList<ClassAveragePrecision> PerClass);
