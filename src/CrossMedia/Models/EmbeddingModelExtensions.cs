using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Models;

// In the root namespace, so code anywhere under CrossMedia (and every caller of InputException) sees the adapter.
namespace CrossMedia;

/// <summary>Dataset media into a model: the labels, splits and ids stay with the dataset, the model gets an <see cref="EmbeddingInput"/>.</summary>
public static class EmbeddingModelExtensions
{
    /// <summary>Embeds the items of a dataset medium (<see cref="EmbeddingInput.Of(Medium)"/>).</summary>
    public static Matrix Embed(this IEmbeddingModel model, Medium medium) => model.Embed(EmbeddingInput.Of(medium));
}
