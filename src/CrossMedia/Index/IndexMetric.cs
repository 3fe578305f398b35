namespace CrossMedia.Index;

/// <summary>
/// How the index compares a query with a stored vector. Scores are always "higher is closer"
/// inside the search; <see cref="L2"/> results are reported as squared distances (lower is closer).
/// </summary>
public enum IndexMetric : byte
{
    /// <summary>Cosine similarity: vectors are normalised at build time, queries at search time.</summary>
    Cosine = 1,
    /// <summary>Raw inner product.</summary>
    InnerProduct = 2,
    /// <summary>Squared Euclidean distance.</summary>
    L2 = 3,
}

public static class IndexMetrics
{
    public static string Name(this IndexMetric metric) => metric switch
    {
        IndexMetric.Cosine => "cosine",
        IndexMetric.InnerProduct => "ip",
        IndexMetric.L2 => "l2",
        _ => metric.ToString(),
    };

    public static IndexMetric Parse(string text, string source = "--metric") => text.Trim().ToLowerInvariant() switch
    {
        "cosine" or "cos" => IndexMetric.Cosine,
        "ip" or "inner" or "innerproduct" or "dot" => IndexMetric.InnerProduct,
        "l2" or "euclidean" => IndexMetric.L2,
        _ => throw new InputException(source, "", "cosine, ip or l2", $"'{text}'"),
    };
}
