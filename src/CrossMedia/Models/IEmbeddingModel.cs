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

    /// <summary>Embeds the items of <paramref name="medium"/> (features or files, as its spec says).</summary>
    Matrix Embed(Medium medium);

    /// <summary>Writes the model into <paramref name="directory"/> (atomically, file by file).</summary>
    void Save(string directory);
}

/// <summary>What a model accepts for one medium: feature vectors of a dimension, or raw files.</summary>
/// <param name="Name">Medium name.</param>
/// <param name="FeatureDimension">Input feature dimension; 0 when the model reads raw files.</param>
/// <param name="AcceptsFiles">True when the model decodes media files (images, audio, text, video) itself.</param>
/// <param name="Encoder">The pretrained encoder that made the training features (e.g. "minilm"), so queries can go through
/// it; null when unknown or when the model reads files.</param>
public sealed record MediumSpec(string Name, int FeatureDimension, bool AcceptsFiles, string? Encoder = null)
{
    public override string ToString() => AcceptsFiles ? $"{Name} (files)"
        : $"{Name} ({FeatureDimension}-d feature vectors{(Encoder is null ? "" : $" from {Encoder}")})";
}

/// <summary>A model that reads a text medium as raw text and can embed strings directly (free-text queries, no file).</summary>
public interface ITextEmbeddingModel : IEmbeddingModel
{
    /// <summary>Embeds <paramref name="texts"/> as items of the text medium <paramref name="medium"/>.</summary>
    Matrix EmbedTexts(string medium, IReadOnlyList<string> texts);
}
