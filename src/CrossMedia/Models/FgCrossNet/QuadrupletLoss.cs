using CrossMedia.Torch;
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
/// Memory: O(B²) plus one chunk of at most <c>maxChunkElements</c> per temporary; see
/// <see cref="Mine"/> for how the B⁴ enumeration becomes sorting and binary search.
/// </remarks>
internal static class QuadrupletLoss
{
    public const double DefaultMargin1 = 1.0;
    public const double DefaultMargin2 = 0.5;

    /// <summary>Default cap on the elements of one chunk's [pairs, B] temporaries (4 M → 16 MB per float tensor).</summary>
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
        var (coefficients, value) = Mine(distances.detach(), labels, margin1, margin2, Math.Max(1, maxChunkElements / Math.Max(1, b)));
        var surrogate = coefficients.mul(distances).sum();
        // Σ G·D has the loss's gradient; adding the detached difference gives the loss's exact value.
        using var exact = value.ToScalar();
        var loss = surrogate.add(surrogate.detach().neg().add(exact, TorchScalars.One), TorchScalars.One);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Pairwise Euclidean distances [B, B]; the square root is taken at ≥ 1e-12 so the diagonal has a finite gradient.</summary>
    public static Tensor EuclideanDistances(Tensor x)
    {
        using var scope = NewDisposeScope();
        var sq = x.pow(TorchScalars.Two).sum(1, keepdim: true);
        var d2 = sq.add(sq.t(), TorchScalars.One).sub(x.matmul(x.t()).mul(TorchScalars.Two));
        return d2.clamp_min(TorchScalars.Tiny).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Returns G = ∂loss/∂D and the loss value; no autograd. Works per anchor class c, because the
    /// admissible (n1, n2) — both outside c, of different classes — depend only on c:
    /// row n1 of D restricted to admissible n2 is sorted once (with prefix sums), so for each
    /// (a, p) the number and sum of active second hinges in that row are a binary search away.
    /// Cost O(C·B² log B + P·B log B) for C anchor classes and P (a, p) pairs.
    /// </summary>
    internal static (Tensor Coefficients, double Value) Mine(Tensor d, Tensor labels, double margin1, double margin2, long pairsPerChunk)
    {
        using var noGrad = torch.no_grad();
        using var m1 = margin1.ToScalar();
        using var m2 = margin2.ToScalar();
        var b = d.shape[0];
        var device = d.device;
        var y = labels.to(device);
        var yHost = labels.cpu().data<long>().ToArray();
        var different = y.unsqueeze(1).ne(y.unsqueeze(0));                       // [B, B]: classes differ
        var g = torch.zeros([b, b], d.dtype, device);
        double total = 0;
        long count = 0;
        foreach (var cls in yHost.Distinct())
        {
            var members = Enumerable.Range(0, (int)b).Where(i => yHost[i] == cls).Select(i => (long)i).ToArray();
            if (members.Length < 2 || members.Length == b) continue;            // no positive, or no negative
            using var classScope = NewDisposeScope();
            using var clsScalar = cls.ToScalar();
            var outside = y.ne(clsScalar);                                            // [B] n outside the anchor class
            var admissible = outside.unsqueeze(1).logical_and(outside.unsqueeze(0)).logical_and(different); // (n1, n2)
            var perN1 = admissible.sum(1, type: d.dtype);                        // [B] admissible n2 per n1
            var rows = d.masked_fill(admissible.logical_not(), TorchScalars.PositiveInfinity).sort(1).Values; // [B, B]
            var prefix = torch.cat([torch.zeros([b, 1], d.dtype, device), rows.nan_to_num(posinf: 0).cumsum(1)], 1); // [B, B+1]

            var pairList = members.SelectMany(a => members.Where(p => p != a).Select(p => (a, p))).ToArray();
            var thresholds = new List<Tensor>();
            for (var start = 0; start < pairList.Length; start += (int)pairsPerChunk)
            {
                using var chunkScope = NewDisposeScope();
                var chunk = pairList.Skip(start).Take((int)pairsPerChunk).ToArray();
                var anchors = torch.tensor(chunk.Select(c => c.a).ToArray(), device: device);
                var positives = torch.tensor(chunk.Select(c => c.p).ToArray(), device: device);
                var dap = d.index(anchors, positives);                           // [K]
                var t1 = dap.unsqueeze(1).sub(d.index_select(0, anchors)).add(m1, TorchScalars.One); // [K, B] over n1
                var active1 = t1.gt(TorchScalars.Zero).logical_and(outside.unsqueeze(0));
                var threshold2 = dap.add(m2, TorchScalars.One);                              // hinge 2 active iff d(n1, n2) < this
                // Active second hinges per (k, n1): admissible n2 with d(n1, n2) < threshold (rows sorted, +∞ last).
                var queries = threshold2.unsqueeze(0).expand(b, -1).contiguous(); // [B, K]
                var active2 = torch.searchsorted(rows, queries).t();              // [K, B] counts
                var active2Sum = prefix.gather(1, active2.t()).t();               // [K, B] Σ d(n1, n2) over them
                var active2F = active2.to(d.dtype);
                var uses1 = active1.to(d.dtype).mul(perN1.unsqueeze(0));          // hinge 1 counted once per admissible n2
                // A quadruplet is positive if hinge 1 is active (all its n2) or else hinge 2 is.
                count += (long)Math.Round(torch.where(active1, perN1.unsqueeze(0), active2F).sum(ScalarType.Float64).item<double>());
                total += t1.mul(uses1).sum(ScalarType.Float64).item<double>()
                       + active2F.mul(threshold2.unsqueeze(1)).sub(active2Sum).sum(ScalarType.Float64).item<double>();
                // ∂/∂d(a,p): +1 per active hinge; ∂/∂d(a,n1): −1 per active hinge 1.
                using var rowLength = b.ToScalar();
                g.view(-1).index_add_(0, anchors.mul(rowLength).add(positives, TorchScalars.One), uses1.sum(1).add(active2F.sum(1), TorchScalars.One), TorchScalars.One);
                g.index_add_(0, anchors, uses1, alpha: TorchScalars.MinusOne);
                thresholds.Add(threshold2.MoveToOuterDisposeScope());
            }
            // ∂/∂d(n1,n2): −1 for every (a, p) of this class whose hinge 2 is active there.
            var sortedThresholds = torch.cat(thresholds, 0).sort().Values;
            var notAbove = torch.searchsorted(sortedThresholds, d.contiguous(), right: true); // [B, B] thresholds ≤ d
            using var thresholdCount = sortedThresholds.shape[0].ToScalar();
            var above = notAbove.neg().add(thresholdCount, TorchScalars.One).to(d.dtype).mul(admissible.to(d.dtype));
            g.sub_(above);
        }
        if (count == 0) return (g, 0.0);
        using var countScalar = count.ToScalar();
        return (g.div_(countScalar), total / count);
    }
}
