namespace CrossMedia.Media;

/// <summary>A file that could not be decoded: its path, why (one line), and the error itself.</summary>
public sealed record MediaProblem(string Path, string Reason, Exception? Error = null)
{
    /// <summary>The problem of <paramref name="path"/> failing with <paramref name="error"/>.</summary>
    public static MediaProblem Of(string path, Exception error) => new(path, ReasonOf(error), error);

    /// <summary>A one-line reason: the user-facing message of known errors, else the exception type and message.</summary>
    private static string ReasonOf(Exception e) => e switch
    {
        InputException ie when ie.Found.Length > 0 => (ie.Field.Length > 0 ? ie.Field + ": " : "") + $"expected {ie.Expected}, found {ie.Found}",
        InputException ie => ie.Message,
        FileNotFoundException => "not found",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    public override string ToString() => $"{Path}: {Reason}";
}

/// <summary>
/// Media files that could not be decoded where every item must be embedded (a query, an item
/// to add, an index): names the first file and what was wrong with it, and how many more failed.
/// CLI exit 2; HTTP 422.
/// </summary>
public sealed class UndecodableMediaException(IReadOnlyList<MediaProblem> problems) : InputException(
    problems[0].Path, Lead(problems)?.Field ?? "", Lead(problems)?.Expected ?? "a media file that can be decoded",
    (Lead(problems)?.Found ?? problems[0].Reason) + (problems.Count > 1 ? $" (and {problems.Count - 1} more undecodable files)" : ""),
    problems[0].Error)
{
    public IReadOnlyList<MediaProblem> Problems { get; } = problems;

    /// <summary>True when the first file was refused for exceeding a <see cref="MediaLimits"/> limit (HTTP 413).</summary>
    public bool LimitExceeded => Problems[0].Error is MediaLimitException;

    /// <summary>The first file's own error when it speaks about that file (its field, expectation and finding are reused).</summary>
    private static InputException? Lead(IReadOnlyList<MediaProblem> problems) =>
        problems[0].Error is InputException { Found.Length: > 0 } e && e.Location == problems[0].Path ? e : null;
}
