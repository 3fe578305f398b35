namespace CrossMedia.Index;

/// <summary>Names of <see cref="IndexMetric"/> values on the command line and in the API.</summary>
public static class IndexMetrics
{
    public static string Name(this IndexMetric metric) => metric switch
    {
        IndexMetric.Cosine => "cosine",
        IndexMetric.InnerProduct => "ip",
        IndexMetric.L2 => "l2",
        _ => metric.ToString(),
    };

    public static IndexMetric Parse(string text, string source = "metric") => text.Trim().ToLowerInvariant() switch
    {
        "cosine" or "cos" => IndexMetric.Cosine,
        "ip" or "inner" or "innerproduct" or "dot" => IndexMetric.InnerProduct,
        "l2" or "euclidean" => IndexMetric.L2,
        _ => throw new InputException(source, "", "cosine, ip or l2", $"'{text}'"),
    };
}
