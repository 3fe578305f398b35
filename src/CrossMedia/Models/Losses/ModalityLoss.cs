using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Losses;

/// <summary>
/// The modality adversary's loss: mean cross-entropy of the classifier's logits on image
/// embeddings (class 0) and text embeddings (class 1), over both sets together.
/// </summary>
internal static class ModalityLoss
{
    public const long ImageClass = 0;
    public const long TextClass = 1;
    private static readonly Scalar ImageTarget = ImageClass.ToScalar();
    private static readonly Scalar TextTarget = TextClass.ToScalar();

    public static Tensor Compute(Tensor imageLogits, Tensor textLogits)
    {
        using var scope = NewDisposeScope();
        var logits = cat([imageLogits, textLogits], 0);
        var targets = cat([
            full(imageLogits.shape[0], ImageTarget, dtype: ScalarType.Int64, device: imageLogits.device),
            full(textLogits.shape[0], TextTarget, dtype: ScalarType.Int64, device: textLogits.device)], 0);
        return nn.functional.cross_entropy(logits, targets).MoveToOuterDisposeScope();
    }
}
