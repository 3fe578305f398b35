namespace CrossMedia.Training;

/// <summary>
/// Keep-best model selection, shared by the trainers: whether a validation result replaces the selected one.
/// The first always does; one whose ranking is not degenerate (<see cref="Evaluation.MapResult.Degenerate"/>)
/// beats one that is — a fully tied ranking scores by the gallery's order alone, which can lie above chance and
/// above a real but weak model; otherwise the higher score.
/// </summary>
internal static class EpochSelection
{
    /// <param name="score">The candidate's validation score.</param>
    /// <param name="degenerate">Whether the candidate's validation ranking is degenerate in some direction.</param>
    /// <param name="selected">The selected result so far, null when there is none.</param>
    public static bool Replaces(double score, bool degenerate, (double Score, bool Degenerate)? selected) =>
        selected is not { } s || (degenerate != s.Degenerate ? !degenerate : score > s.Score);
}
