namespace CrossMedia.Evaluation;

/// <summary>Mean average precision over a query set.</summary>
/// <param name="Map">Mean of <paramref name="AveragePrecisions"/> (queries without relevant items count as 0).</param>
/// <param name="Queries">Number of queries.</param>
/// <param name="QueriesWithoutRelevant">Queries with no relevant gallery item (AP 0, counted in the mean).</param>
/// <param name="AveragePrecisions">AP per query, in query order.</param>
public sealed record MapResult(double Map, int Queries, int QueriesWithoutRelevant, double[] AveragePrecisions)
{
    /// <summary>
    /// The mean over the queries of the expected AP of a uniformly random ranking of the same gallery
    /// (<see cref="Retrieval.ChanceAveragePrecision"/>): the level a model that knows nothing reaches.
    /// NaN when not computed or with a top-K cut.
    /// </summary>
    public double Chance { get; init; } = double.NaN;

    /// <summary>
    /// The mAP is not clearly above <see cref="Chance"/> (<see cref="Retrieval.IsAtChance"/>): the model
    /// ranks no better than a random one — collapsed or untrained. False when the chance level is not computed.
    /// </summary>
    public bool AtChance { get; init; }

    /// <summary>
    /// The ranking says nothing about the queries (<see cref="Retrieval.IsDegenerate"/>): all gallery
    /// embeddings are the same (every query's scores tie) or all query embeddings are (one ranking for
    /// every query). Its mAP then reflects only the order of the gallery and can lie above
    /// <see cref="Chance"/>; it must not be read (or selected) as a result.
    /// </summary>
    public bool Degenerate { get; init; }

    /// <summary>The warning to show beside the mAP (<see cref="ResultRow.DegenerateNote"/>, <see cref="ResultRow.AtChanceNote"/>), or null.</summary>
    public string? Note => ResultRow.NoteFor(Degenerate, AtChance);
}
