using static TorchSharp.torch;

namespace CrossMedia.Models.Losses;

/// <summary>Cycle (semantic) consistency: mean squared error between an embedding R(x) and its class embedding c.</summary>
internal static class CycleLoss
{
    public static Tensor Compute(Tensor embeddings, Tensor classEmbeddings) =>
        nn.functional.mse_loss(embeddings, classEmbeddings);
}
