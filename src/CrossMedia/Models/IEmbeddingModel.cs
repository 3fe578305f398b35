using CrossMedia.Core;
using CrossMedia.Data;

namespace CrossMedia.Models;

/// <summary>
/// A trained cross-media model: maps items of each medium it knows into one common space.
/// Every method (CCA, JFSE, FGCrossNet) implements this, so evaluation, <c>embed</c>, the index
/// and the service work with any of them.
/// </summary>
public interface IEmbeddingModel : IDisposable
{
    /// <summary>Method name as used by <c>--method</c>, e.g. "cca".</summary>
    string Method { get; }

    /// <summary>The media this model can embed, and what input each expects.</summary>
    IReadOnlyList<MediumSpec> Media { get; }

    /// <summary>Dimension of the common space.</summary>
    int EmbeddingDimension { get; }

    /// <summary>
    /// Embeds the items (feature rows or media sources, as the medium's spec says), one row each in input order, in
    /// batches: a large input is never decoded at once. <paramref name="progress"/> hears the number of items done.
    /// A source that cannot be decoded is an <see cref="Media.UndecodableMediaException"/> naming every such source.
    /// </summary>
    Matrix Embed(EmbeddingInput input, IProgress<int>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Writes the model into <paramref name="directory"/> (atomically, file by file).</summary>
    void Save(string directory);
}

/// <summary>What a model accepts for one medium: feature vectors of a dimension, or raw files.</summary>
/// <param name="Name">Medium name.</param>
/// <param name="FeatureDimension">Input feature dimension; 0 when the model reads raw files.</param>
/// <param name="AcceptsFiles">True when the model decodes media itself (files, bytes; for a text medium also strings).</param>
/// <param name="Encoder">The pretrained encoder that made the training features (e.g. "minilm"), so queries can go through
/// it; null when unknown or when the model reads files.</param>
public sealed record MediumSpec(string Name, int FeatureDimension, bool AcceptsFiles, string? Encoder = null)
{
    public override string ToString() => AcceptsFiles ? $"{Name} (files)"
        : $"{Name} ({FeatureDimension}-d feature vectors{(Encoder is null ? "" : $" from {Encoder}")})";
}
