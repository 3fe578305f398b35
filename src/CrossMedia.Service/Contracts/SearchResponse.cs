namespace CrossMedia.Service.Contracts;

/// <summary>POST /search answer.</summary>
/// <param name="Metric">cosine, ip (higher is closer) or l2 (lower is closer).</param>
/// <param name="Results">Best first.</param>
/// <param name="Milliseconds">Time spent encoding and searching.</param>
public sealed record SearchResponse(string Metric, IReadOnlyList<ItemResponse> Results, double Milliseconds);
