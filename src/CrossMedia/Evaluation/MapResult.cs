namespace CrossMedia.Evaluation;

/// <summary>Mean average precision over a query set.</summary>
/// <param name="Map">Mean of <paramref name="AveragePrecisions"/> (queries without relevant items count as 0).</param>
/// <param name="Queries">Number of queries.</param>
/// <param name="QueriesWithoutRelevant">Queries with no relevant gallery item (AP 0, counted in the mean).</param>
/// <param name="AveragePrecisions">AP per query, in query order.</param>
public sealed record MapResult(double Map, int Queries, int QueriesWithoutRelevant, double[] AveragePrecisions);
