using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.FgCrossNet;

/// <summary>
/// FGCrossNet's ranking loss over a batch with Euclidean distances d: for every quadruplet of an
/// anchor a, a positive p (same class, p ≠ a) and negatives n1, n2 with a, n1, n2 of three
/// different classes,
///   ℓ = max(0, d(a,p) − d(a,n1) + m1) + max(0, d(a,p) − d(n1,n2) + m2),
/// averaged over the quadruplets with ℓ &gt; 0 (0 when there is none).
/// </summary>
/// <remarks>
/// Enumerating B⁴ quadruplets is impossible for B = 256 (4·10⁹), and even chunked enumeration
/// under autograd would keep every chunk's masks alive until backward. The loss is piecewise
/// linear in the distance matrix D, so we (1) mine without gradients, chunk by chunk over the
/// (anchor, positive) pairs, the loss value and the coefficient G = ∂loss/∂D (how often each
/// distance enters an active hinge, with sign, divided by the count), then (2) return
/// Σ G·D — which has exactly that gradient — shifted by a constant to the exact value.
/// Memory: O(B²) plus one chunk of at most <c>maxChunkElements</c> per temporary.
/// </remarks>
public static class QuadrupletLoss
{
    public const double DefaultMargin1 = 1.0;
    public const double DefaultMargin2 = 0.5;

    /// <summary>Default cap on the elements of one chunk's [pairs, B, B] temporaries (4 M → 16 MB per float tensor).</summary>
    public const long DefaultMaxChunkElements = 1L << 22;

    /// <param name="embeddings">[B, D] outputs (any float dtype, any device).</param>
    /// <param name="labels">[B] class indices (int64).</param>
    public static Tensor Compute(Tensor embeddings, Tensor labels, double margin1 = DefaultMargin1, double margin2 = DefaultMargin2,
        long maxChunkElements = DefaultMaxChunkElements)
    {
        if (embeddings.ndim != 2 || labels.ndim != 1 || labels.shape[0] != embeddings.shape[0])
            throw new ArgumentException("expected embeddings [B, D] and labels [B]");
        using var scope = NewDisposeScope();
        var distances = EuclideanDistances(embeddings);
        var b = embeddings.shape[0];
        var (coefficients, value) = Mine(distances.detach(), labels, margin1, margin2, Math.Max(1, maxChunkElements / Math.Max(1, b * b)));
        var surrogate = coefficients.mul(distances).sum();
        // Σ G·D has the loss's gradient; adding the detached difference gives the loss's exact value.
        var loss = surrogate.add(surrogate.detach().neg().add(value));
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Pairwise Euclidean distances [B, B]; the square root is taken at ≥ 1e-12 so the diagonal has a finite gradient.</summary>
    public static Tensor EuclideanDistances(Tensor x)
    {
        using var scope = NewDisposeScope();
        var sq = x.pow(2).sum(1, keepdim: true);
        var d2 = sq.add(sq.t()).sub(x.matmul(x.t()).mul(2));
        return d2.clamp_min(1e-12).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>Returns G = ∂loss/∂D and the loss value; no autograd.</summary>
    private static (Tensor Coefficients, double Value) Mine(Tensor d, Tensor labels, double margin1, double margin2, long pairsPerChunk)
    {
        using var noGrad = torch.no_grad();
        var b = d.shape[0];
        var device = d.device;
        var y = labels.to(device);
        var different = y.unsqueeze(1).ne(y.unsqueeze(0));                       // [B, B]: classes differ
        var positive = different.logical_not().logical_and(torch.eye(b, dtype: ScalarType.Bool, device: device).logical_not());
        var pairs = positive.nonzero();                                          // [P, 2] (anchor, positive)
        var g = torch.zeros([b, b], d.dtype, device);
        double total = 0;
        long count = 0;
        var p = pairs.shape[0];
        for (long start = 0; start < p; start += pairsPerChunk)
        {
            using var chunkScope = NewDisposeScope();
            var chunk = pairs.narrow(0, start, Math.Min(pairsPerChunk, p - start));
            var anchors = chunk.select(1, 0);
            var positives = chunk.select(1, 1);
            var dap = d.index(anchors, positives);                               // [K]
            var anchorRow = d.index_select(0, anchors);                          // [K, B] d(a, n1)
            var n1Valid = different.index_select(0, anchors);                    // [K, B] class(n1) ≠ class(a)
            // valid[k, n1, n2]: n1 and n2 of classes other than a's, and of different classes from each other.
            var valid = n1Valid.unsqueeze(2).logical_and(n1Valid.unsqueeze(1)).logical_and(different.unsqueeze(0));
            var t1 = dap.unsqueeze(1).sub(anchorRow).add(margin1);               // [K, B]
            var t2 = dap.view(-1, 1, 1).sub(d.unsqueeze(0)).add(margin2);        // [K, B, B]
            var active1 = t1.gt(0);
            var active2 = t2.gt(0).logical_and(valid);
            var n2PerN1 = valid.sum(2, type: d.dtype);                           // [K, B] quadruplets per (a, p, n1)
            count += valid.logical_and(active1.unsqueeze(2).logical_or(t2.gt(0))).sum().item<long>();
            var c1 = active1.to(d.dtype).mul(n2PerN1);                           // uses of hinge 1 per (a, p, n1)
            var c2 = active2.to(d.dtype);
            total += t1.mul(c1).sum().item<double>() + t2.mul(c2).sum().item<double>();
            // ∂/∂d(a,p): +1 per active hinge; ∂/∂d(a,n1): −1 per active hinge 1; ∂/∂d(n1,n2): −1 per active hinge 2.
            g.index_put_(c1.sum(1).add(c2.sum([1, 2])), [anchors, positives], accumulate: true);
            g.index_add_(0, anchors, c1, alpha: -1);
            g.sub_(c2.sum(0));
        }
        if (count == 0) return (g.MoveToOuterDisposeScope(), 0.0);
        return (g.div_(count).MoveToOuterDisposeScope(), total / count);
    }
}
