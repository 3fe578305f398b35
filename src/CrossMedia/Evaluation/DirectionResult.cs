namespace CrossMedia.Evaluation;

/// <summary>mAP of one retrieval direction.</summary>
/// <param name="Query">Query medium name.</param>
/// <param name="Gallery">Gallery medium name, or <see cref="AllMedia"/> for X→All (<see cref="ToAllMedia"/>).</param>
/// <param name="Result">The mAP and its per-query detail.</param>
public sealed record DirectionResult(string Query, string Gallery, MapResult Result)
{
    /// <summary>The gallery name of an X→All direction (every medium together), as tables and metrics.json write it.</summary>
    public const string AllMedia = "all";

    /// <summary>An X→All direction: the gallery is every medium together.</summary>
    public bool ToAllMedia => Gallery == AllMedia;
}
