namespace CrossMedia.Models.Weights;

/// <summary>What happened when pretrained weights were copied into a model.</summary>
/// <param name="Loaded">Model keys that received a tensor from the file.</param>
/// <param name="Skipped">File tensors not used, each with the reason (classifier of another class count, shape mismatch, not in the model).</param>
/// <param name="Missing">Model keys the file did not provide; they keep their initial values.</param>
public sealed record WeightLoadReport(
    IReadOnlyList<string> Loaded,
    IReadOnlyList<SkippedTensor> Skipped,
    IReadOnlyList<string> Missing)
{
    /// <summary>One line for a log or the CLI.</summary>
    public string Summary =>
        $"{Loaded.Count} tensors loaded, {Skipped.Count} skipped, {Missing.Count} missing" +
        (Skipped.Count > 0 ? $"; skipped: {string.Join(", ", Skipped.Take(5).Select(s => $"{s.Name} ({s.Reason})"))}{(Skipped.Count > 5 ? ", ..." : "")}" : "") +
        (Missing.Count > 0 ? $"; missing: {string.Join(", ", Missing.Take(5))}{(Missing.Count > 5 ? ", ..." : "")}" : "");
}

/// <summary>A tensor of a weights file that was not loaded, and why.</summary>
/// <param name="Name">The name in the file (after key remapping).</param>
/// <param name="Reason">Why it was skipped.</param>
public sealed record SkippedTensor(string Name, string Reason);
