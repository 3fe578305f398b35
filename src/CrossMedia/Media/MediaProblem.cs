namespace CrossMedia.Media;

/// <summary>A file that could not be decoded and was skipped: its path and why.</summary>
public sealed record MediaProblem(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}
