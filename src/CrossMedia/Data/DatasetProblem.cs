namespace CrossMedia.Data;

/// <summary>One problem found in a dataset.</summary>
/// <param name="Severity">Warning (shown) or error (stops loading).</param>
/// <param name="Kind">What it is about.</param>
/// <param name="Where">The medium, class or field concerned.</param>
/// <param name="Message">What is wrong, in one line.</param>
public sealed record DatasetProblem(ProblemSeverity Severity, ProblemKind Kind, string Where, string Message)
{
    public override string ToString() => $"{Severity.ToString().ToLowerInvariant()}: {Where}: {Message}";
}
