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
