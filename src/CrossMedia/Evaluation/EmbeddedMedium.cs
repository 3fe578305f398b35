using CrossMedia.Core;

namespace CrossMedia.Evaluation;

/// <summary>One medium's embeddings ready for evaluation.</summary>
/// <param name="Name">Medium name ("image", "text", ...).</param>
/// <param name="Embeddings">One row per item.</param>
/// <param name="Labels">Class per item.</param>
/// <param name="LabelSets">All labels per item for multi-label relevance (shares ≥ 1 label); null = single-label.</param>
public sealed record EmbeddedMedium(string Name, Matrix Embeddings, int[] Labels, IReadOnlyList<int[]>? LabelSets = null);
