using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Losses;

/// <summary>
/// The modality adversary's loss: mean cross-entropy of the classifier's logits, each medium's embeddings
/// labelled with the medium's index (image 0, text 1 for the spec's two), over all sets together.
/// </summary>
internal static class ModalityLoss
{
    /// <param name="logits">Per medium, its rows' logits (one column per medium).</param>
    public static Tensor Compute(params IReadOnlyList<Tensor> logits)
    {
        using var scope = NewDisposeScope();
        var targets = logits.Select((l, m) =>
        {
            using var target = ((long)m).ToScalar();
            return full(l.shape[0], target, dtype: ScalarType.Int64, device: l.device);
        }).ToArray();
        return nn.functional.cross_entropy(cat(logits.ToArray(), 0), cat(targets, 0)).MoveToOuterDisposeScope();
    }
}
