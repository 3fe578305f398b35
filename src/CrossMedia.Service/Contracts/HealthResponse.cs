namespace CrossMedia.Service.Contracts;

/// <summary>GET /health answer.</summary>
public sealed record HealthResponse(string Status, int Items, int Dimension, string Metric, string Method, IReadOnlyDictionary<string, int> Media,
    bool Mutations, int MaxK, string Accepts);
