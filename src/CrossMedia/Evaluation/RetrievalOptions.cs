using CrossMedia.Core;

namespace CrossMedia.Evaluation;

/// <summary>How a retrieval evaluation ranks and cuts.</summary>
/// <param name="Metric">Distance used to rank the gallery.</param>
/// <param name="TopK">0 = the whole ranking; K &gt; 0 = mAP@K (only the first K results count, AP normalised by the relevant items found in them).</param>
/// <param name="ExcludeSelf">Drop a query's own item from its ranking (and from R) when its gallery index is given.</param>
/// <param name="BlockSize">Queries per block (bounds memory: block × gallery floats per thread); 0 = chosen automatically.</param>
/// <param name="Threads">Worker threads; 0 = all cores.</param>
public sealed record RetrievalOptions(
    Metric Metric = Metric.Cosine,
    int TopK = 0,
    bool ExcludeSelf = true,
    int BlockSize = 0,
    int Threads = 0);
