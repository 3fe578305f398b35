namespace CrossMedia.Evaluation;

/// <summary>How the gallery is ordered for a query (nearest first).</summary>
public enum DistanceMetric
{
    /// <summary>Cosine distance 1 − cos(q, g): ranked by descending cosine similarity of L2-normalised rows.</summary>
    Cosine,
    /// <summary>Euclidean distance: ranked by ascending ‖g‖² − 2 q·g (the same order as ‖q − g‖).</summary>
    Euclidean,
    /// <summary>Inner product: ranked by descending q·g.</summary>
    InnerProduct,
}
