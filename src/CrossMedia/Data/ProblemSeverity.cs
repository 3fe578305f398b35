namespace CrossMedia.Data;

/// <summary>How bad a dataset problem is: a warning is shown, an error stops loading.</summary>
public enum ProblemSeverity
{
    Warning,
    Error,
}
