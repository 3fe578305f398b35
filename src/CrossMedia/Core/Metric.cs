namespace CrossMedia.Core;

/// <summary>
/// How a query is compared with a gallery or index vector, for evaluation ranking and index search
/// alike. The byte values are what index files store.
/// </summary>
public enum Metric : byte
{
    /// <summary>Cosine similarity: both sides are scaled to unit length, then ranked by descending inner product.</summary>
    Cosine = 1,
    /// <summary>Inner product: ranked by descending q·g.</summary>
    InnerProduct = 2,
    /// <summary>Squared Euclidean distance ‖q − g‖²: ranked ascending (by ‖g‖² − 2 q·g, the same order).</summary>
    L2 = 3,
}

/// <summary>The one spelling of each <see cref="Metric"/> on the command line, in the API, metrics.json and index headers.</summary>
public static class MetricNames
{
    /// <summary>cosine, ip, l2.</summary>
    public static readonly IReadOnlyList<string> All = ["cosine", "ip", "l2"];

    public static string Name(this Metric metric) => metric switch
    {
        Metric.Cosine => "cosine",
        Metric.InnerProduct => "ip",
        Metric.L2 => "l2",
        _ => metric.ToString(),
    };

    public static Metric Parse(string text, string source = "metric") => text.Trim().ToLowerInvariant() switch
    {
        "cosine" => Metric.Cosine,
        "ip" => Metric.InnerProduct,
        "l2" => Metric.L2,
        _ => throw new InputException(source, "", "cosine, ip or l2", InputException.Excerpt(text)),
    };
}
