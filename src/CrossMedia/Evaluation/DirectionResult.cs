namespace CrossMedia.Evaluation;

/// <summary>mAP of one retrieval direction.</summary>
/// <param name="Query">Query medium name.</param>
/// <param name="Gallery">Gallery medium name, or "all" for X→All.</param>
/// <param name="Result">The mAP and its per-query detail.</param>
public sealed record DirectionResult(string Query, string Gallery, MapResult Result);
