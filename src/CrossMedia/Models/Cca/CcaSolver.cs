using CrossMedia.Core;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Cca;

/// <summary>
/// The training statistics of two or more paired media, normalised and eigendecomposed once, so that the
/// CCA for any ridge costs one decomposition (the ridge only shifts the eigenvalues) and every dimension
/// count and correlation weighting is a slice of that solution. Model selection walks a grid without refitting.
/// <para>
/// More than two media: multi-set CCA in Kettenring's SUMCOR form (J. R. Kettenring, "Canonical analysis
/// of several sets of variables", Biometrika 58, 1971), solved as one symmetric eigenproblem as in Vía,
/// Santamaría and Pérez ("A learning algorithm for adaptive canonical correlation analysis of several data
/// sets", Neural Networks 20, 2007): with K_i = (C_ii + ridge·I)^(-1/2), the leading eigenvectors h of the
/// block matrix whose blocks are K_i C_ij K_j off the diagonal and zero on it maximise the summed pairwise
/// covariance Σ_{i≠j} h_iᵀ K_i C_ij K_j h_j under Σ_i ‖h_i‖² = 1; each medium projects by K_i h_i. Each
/// medium's block h_i is then scaled to unit length, as the SVD's u and v are below. With two media those
/// eigenvectors are exactly [u; v]/√2 for the singular pairs (u, v) of K_a C_ab K_b, i.e. classical CCA,
/// which is why two media are solved by that SVD (so two-media models are classical CCA's, to the bit).
/// </para>
/// </summary>
internal sealed class CcaSolver : IDisposable
{
    /// <summary>Below this length an item is treated as the zero vector when scaled to unit length.</summary>
    public const double MinNorm = 1e-12;

    private readonly string[] _names;
    private readonly CcaInput _input;
    private readonly Side[] _sides;
    /// <summary>Cross-covariances C_ij for i &lt; j, in the order of <see cref="Pairs"/>.</summary>
    private readonly Tensor[] _cross;

    /// <summary>Canonical dimensions available: the smallest medium's dimension (min(d_a, d_b) for two).</summary>
    public int Rank { get; }

    /// <param name="media">Two or more media with row i of each one object.</param>
    public CcaSolver(IReadOnlyList<(string Name, Matrix Features)> media, CcaInput input)
    {
        if (media.Count < 2)
            throw new InputException("cca", "media", "at least two paired media", media.Count.ToString());
        var first = media[0];
        if (media.FirstOrDefault(m => m.Features.Rows != first.Features.Rows) is { Name: not null } other)
            throw new InputException("cca", "training pairs", $"equal row counts in {first.Name} and {other.Name}", $"{first.Features.Rows} and {other.Features.Rows}");
        if (first.Features.Rows < 2)
            throw new InputException("cca", "training pairs", "at least 2 paired training items", first.Features.Rows.ToString());
        TorchRuntime.Initialize();
        (_names, _input) = (media.Select(m => m.Name).ToArray(), input);
        Rank = media.Min(m => m.Features.Cols);
        using var scope = NewDisposeScope();
        using var n1 = ((double)(first.Features.Rows - 1)).ToScalar();
        var sides = media.Select(m => Side.Of(m.Features, input, n1)).ToArray();
        _sides = sides.Select(s => s.Side).ToArray();
        _cross = Pairs(media.Count).Select(p => sides[p.I].Centred.T.matmul(sides[p.J].Centred).div(n1).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>The pairs i &lt; j of <paramref name="count"/> media, in order.</summary>
    private static IEnumerable<(int I, int J)> Pairs(int count) =>
        from i in Enumerable.Range(0, count) from j in Enumerable.Range(i + 1, count - i - 1) select (i, j);

    /// <summary>The full-rank CCA for one ridge (relative to each covariance's mean eigenvalue).</summary>
    public CcaSolution Solve(double regularisation)
    {
        using var scope = NewDisposeScope();
        var k = _sides.Select(s => s.InverseSqrt(regularisation)).ToArray();
        Tensor[] blocks; // per medium, its d_i × Rank unit-length canonical directions in whitened coordinates
        Tensor correlations;
        if (_sides.Length == 2)
        {
            var (u, s, vh) = linalg.svd(k[0].matmul(_cross[0]).matmul(k[1]), fullMatrices: false);
            blocks = [u[.., ..Rank], vh.T[.., ..Rank]];
            correlations = s[..Rank];
        }
        else
        {
            var pairs = Pairs(_sides.Length).ToArray();
            var whitened = pairs.Select((p, n) => k[p.I].matmul(_cross[n]).matmul(k[p.J])).ToArray();
            var offsets = new int[_sides.Length + 1];
            for (int i = 0; i < _sides.Length; i++) offsets[i + 1] = offsets[i] + (int)k[i].shape[0];
            var b = zeros(offsets[^1], offsets[^1], dtype: ScalarType.Float64);
            foreach (var ((i, j), t) in pairs.Zip(whitened))
            {
                b.narrow(0, offsets[i], t.shape[0]).narrow(1, offsets[j], t.shape[1]).copy_(t);
                b.narrow(0, offsets[j], t.shape[1]).narrow(1, offsets[i], t.shape[0]).copy_(t.T);
            }
            // eigh sorts ascending: the last Rank columns, strongest first.
            var (_, vectors) = linalg.eigh(b);
            var top = vectors.narrow(1, vectors.shape[1] - Rank, Rank).flip(1);
            blocks = Enumerable.Range(0, _sides.Length).Select(i =>
            {
                var h = top.narrow(0, offsets[i], offsets[i + 1] - offsets[i]);
                return h / h.norm(0, keepdim: true).clamp_min(TorchScalars.Tiny);
            }).ToArray();
            // Each dimension's correlation: the mean over pairs of media of its (ridge-normalised) canonical correlation.
            correlations = stack(pairs.Zip(whitened).Select(x => blocks[x.First.I].mul(x.Second.matmul(blocks[x.First.J])).sum([0])).ToArray()).mean([0]);
        }
        var media = _sides.Select((side, i) =>
            (_names[i], ToArray(side.Mean), ToArray(k[i].matmul(blocks[i]) * side.Scale.unsqueeze(1)))).ToArray();
        return new CcaSolution(regularisation, _input, ToArray(correlations), media);
    }

    public void Dispose()
    {
        foreach (var side in _sides) side.Dispose();
        foreach (var c in _cross) c.Dispose();
    }

    private static double[] ToArray(Tensor t) => t.contiguous().data<double>().ToArray();

    /// <summary>
    /// One medium: the mean its inputs are centred by, the per-feature factor z-scoring folds into
    /// the projection (ones otherwise), and the eigendecomposition of its covariance.
    /// </summary>
    private sealed record Side(Tensor Mean, Tensor Scale, Tensor Eigenvalues, Tensor Eigenvectors) : IDisposable
    {
        public static (Tensor Centred, Side Side) Of(Matrix m, CcaInput input, Scalar n1)
        {
            var x = m.ToTensor().to_type(ScalarType.Float64);
            if (input == CcaInput.L2)
            {
                using var minNorm = MinNorm.ToScalar();
                x = x.div(x.norm(1, keepdim: true).clamp_min(minNorm));
            }
            var mean = x.mean([0]);
            var centred = x - mean;
            var scale = ones(m.Cols, dtype: ScalarType.Float64);
            if (input == CcaInput.ZScore)
            {
                // A constant feature stays as it is (centred, it is zero anyway).
                var sd = centred.mul(centred).sum([0]).div(n1).sqrt();
                scale = where(sd.gt(TorchScalars.Tiny), sd.reciprocal(), scale);
                centred = centred * scale;
            }
            var (values, vectors) = linalg.eigh(centred.T.matmul(centred).div(n1));
            return (centred, new Side(mean.DetachFromDisposeScope(), scale.DetachFromDisposeScope(),
                values.DetachFromDisposeScope(), vectors.DetachFromDisposeScope()));
        }

        /// <summary>(C + ridge·I)^(-1/2) with ridge = relative × mean eigenvalue (+ 1e-12 so an all-zero medium stays finite).</summary>
        public Tensor InverseSqrt(double relative)
        {
            using var ridge = (relative * Eigenvalues.mean().item<double>() + 1e-12).ToScalar();
            var shifted = Eigenvalues.add(ridge, TorchScalars.One).clamp_min(TorchScalars.Tiny).rsqrt();
            return (Eigenvectors * shifted.unsqueeze(0)).matmul(Eigenvectors.T);
        }

        public void Dispose()
        {
            Mean.Dispose();
            Scale.Dispose();
            Eigenvalues.Dispose();
            Eigenvectors.Dispose();
        }
    }
}

/// <summary>A full-rank CCA for one ridge, unweighted; <see cref="Model"/> keeps a leading slice and weights it.</summary>
public sealed class CcaSolution
{
    private readonly (string Name, double[] Mean, double[] Projection)[] _media;

    public double Regularisation { get; }
    public CcaInput Input { get; }
    /// <summary>All canonical correlations, strongest first (more than two media: each the mean over pairs of media, in the order of the multi-set objective).</summary>
    public double[] Correlations { get; }

    internal CcaSolution(double regularisation, CcaInput input, double[] correlations, (string, double[], double[])[] media)
    {
        (Regularisation, Input, Correlations, _media) = (regularisation, input, correlations, media);
    }

    /// <summary>The model keeping the first <paramref name="dimensions"/> (0 = all) canonical dimensions, each scaled by its correlation to <paramref name="power"/>.</summary>
    public CcaModel Model(int dimensions, double power)
    {
        int rank = Correlations.Length;
        int k = dimensions > 0 ? Math.Min(dimensions, rank) : rank;
        var weight = Correlations.Take(k).Select(c => Math.Pow(Math.Max(c, 1e-12), power)).ToArray();
        var projections = _media.Select(m =>
        {
            int d = m.Mean.Length;
            var p = new double[d * k];
            for (int j = 0; j < d; j++)
                for (int c = 0; c < k; c++)
                    p[j * k + c] = m.Projection[j * rank + c] * weight[c];
            return new CcaModel.MediumProjection(m.Name, m.Mean, p, d, k);
        }).ToArray();
        return new CcaModel(projections, Correlations[..k], new CcaConfig(Regularisation, dimensions, power, Input));
    }
}
