namespace CrossMedia.Data;

/// <summary>The problems found in one dataset (see <see cref="DatasetValidator"/>).</summary>
public sealed class DatasetProblems(string source, IReadOnlyList<DatasetProblem> problems) : IReadOnlyList<DatasetProblem>
{
    /// <summary>The dataset name or file the problems belong to.</summary>
    public string Source { get; } = source;

    public int Count => problems.Count;
    public DatasetProblem this[int index] => problems[index];
    public IEnumerator<DatasetProblem> GetEnumerator() => problems.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public bool HasErrors => problems.Any(p => p.Severity == ProblemSeverity.Error);

    /// <summary>Throws the first error as an <see cref="InputException"/>.</summary>
    public void ThrowIfErrors()
    {
        var first = problems.FirstOrDefault(p => p.Severity == ProblemSeverity.Error);
        if (first is not null) throw ToException(first);
    }

    /// <summary>
    /// Treats problems of one kind as errors, for steps that need it (an evaluation that reports
    /// per-class AP needs test items in every class).
    /// </summary>
    public void Require(ProblemKind kind)
    {
        var first = problems.FirstOrDefault(p => p.Kind == kind);
        if (first is not null) throw ToException(first);
    }

    private InputException ToException(DatasetProblem p)
    {
        // Messages are written "expected X, found Y" so they split into the exception's parts.
        int cut = p.Message.IndexOf(", found ", StringComparison.Ordinal);
        return cut > 0 && p.Message.StartsWith("expected ", StringComparison.Ordinal)
            ? new InputException(Source, p.Where, p.Message["expected ".Length..cut], p.Message[(cut + ", found ".Length)..])
            : new InputException(Source, p.Where, "no problem", p.Message);
    }
}
