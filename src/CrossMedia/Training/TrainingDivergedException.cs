namespace CrossMedia.Training;

/// <summary>
/// Training produced a loss that is not finite: a runtime failure of the run (not a bug, not bad
/// input), reported to the user in one line with the epoch and what to try.
/// </summary>
public sealed class TrainingDivergedException(string method, int epoch, IReadOnlyDictionary<string, double> losses)
    : Exception($"{method} training diverged in epoch {epoch} ({string.Join(", ", losses.Where(kv => !double.IsFinite(kv.Value)).Select(kv => kv.Key))} not finite); lower the learning rate")
{
    public string Method { get; } = method;
    public int Epoch { get; } = epoch;

    /// <summary>Throws when any of the epoch's mean losses is NaN or infinite.</summary>
    public static void ThrowIfNotFinite(string method, int epoch, IReadOnlyDictionary<string, double> losses)
    {
        if (losses.Values.Any(v => !double.IsFinite(v))) throw new TrainingDivergedException(method, epoch, losses);
    }
}
