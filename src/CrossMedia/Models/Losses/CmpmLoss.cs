using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Losses;

/// <summary>
/// Cross-modal projection matching (Zhang &amp; Lu, ECCV 2018) as JFSE uses it:
/// p_ij = softmax_j(a_i · b̂_j) with b̂ the L2-normalised other modality,
/// q_ij = 1[y_i = y_j] / Σ_k 1[y_i = y_k], loss = mean_i Σ_j p_ij log(p_ij / (q_ij + ε)),
/// summed over both directions (image→text and text→image).
/// </summary>
internal static class CmpmLoss
{
    public const double Epsilon = 1e-8;
    private static readonly Scalar EpsilonScalar = Epsilon.ToScalar();

    /// <summary>One direction: embeddings <paramref name="a"/> (n×d) projected on normalised <paramref name="b"/> (m×d).</summary>
    public static Tensor OneDirection(Tensor a, Tensor labelsA, Tensor b, Tensor labelsB)
    {
        using var scope = NewDisposeScope();
        var bNorm = b / b.norm(1, true, 2).clamp_min(TorchScalars.Tiny);
        var logits = a.matmul(bNorm.t());
        var logP = nn.functional.log_softmax(logits, 1);
        var match = labelsA.unsqueeze(1).eq(labelsB.unsqueeze(0)).to_type(a.dtype);
        var q = match / match.sum(1, true).clamp_min(TorchScalars.One);
        var loss = (logP.exp() * (logP - q.add(EpsilonScalar, TorchScalars.One).log())).sum(1).mean();
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Both directions: image→text + text→image.</summary>
    public static Tensor Compute(Tensor imageEmbeddings, Tensor imageLabels, Tensor textEmbeddings, Tensor textLabels)
    {
        using var scope = NewDisposeScope();
        var loss = OneDirection(imageEmbeddings, imageLabels, textEmbeddings, textLabels)
            .add(OneDirection(textEmbeddings, textLabels, imageEmbeddings, imageLabels), TorchScalars.One);
        return loss.MoveToOuterDisposeScope();
    }
}
