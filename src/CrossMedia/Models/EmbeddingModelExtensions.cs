using CrossMedia.Core;
using CrossMedia.Data;

namespace CrossMedia.Models;

/// <summary>Dataset media into a model: the labels, splits and ids stay with the dataset, the model gets an <see cref="EmbeddingInput"/>.</summary>
public static class EmbeddingModelExtensions
{
    /// <summary>Embeds the items of a dataset medium (<see cref="EmbeddingInput.Of(Medium)"/>).</summary>
    public static Matrix Embed(this IEmbeddingModel model, Medium medium) => model.Embed(EmbeddingInput.Of(medium));
}
