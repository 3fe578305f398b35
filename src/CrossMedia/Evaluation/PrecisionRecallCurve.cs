namespace CrossMedia.Evaluation;

/// <summary>A precision–recall curve: point i is (Recall[i], Precision[i]).</summary>
/// <param name="Recall">Recall of each point, ascending.</param>
/// <param name="Precision">Precision of each point.</param>
public sealed record PrecisionRecallCurve(double[] Recall, double[] Precision)
{
    /// <summary>The 11 recall levels 0, 0.1, …, 1 of the interpolated curve.</summary>
    public static double[] ElevenRecallLevels { get; } = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();
}
