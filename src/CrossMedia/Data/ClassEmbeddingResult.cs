using CrossMedia.Core;

namespace CrossMedia.Data;

/// <summary>Class embeddings computed from word vectors, with the words the vectors lacked.</summary>
/// <param name="Embeddings">One row per class.</param>
/// <param name="MissingWords">Words of class names without a vector (each once, in class order).</param>
/// <param name="Source">The word-vector file used.</param>
public sealed record ClassEmbeddingResult(Matrix Embeddings, IReadOnlyList<string> MissingWords, string Source);
