using CrossMedia.Core;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Cca;

/// <summary>
/// The training statistics of two paired media, normalised and eigendecomposed once, so that the CCA
/// for any ridge costs one SVD (the ridge only shifts the eigenvalues) and every dimension count and
/// correlation weighting is a slice of that solution. Model selection walks a grid without refitting.
/// </summary>
public sealed class CcaSolver : IDisposable
{
    /// <summary>Below this length an item is treated as the zero vector when scaled to unit length.</summary>
    public const double MinNorm = 1e-12;

    private readonly string _nameA, _nameB;
    private readonly CcaInput _input;
    private readonly Side _a, _b;
    private readonly Tensor _cab;

    /// <summary>Canonical dimensions available: min(d_a, d_b).</summary>
    public int Rank { get; }

    public CcaSolver(string nameA, Matrix a, string nameB, Matrix b, CcaInput input)
    {
        if (a.Rows != b.Rows)
            throw new InputException("cca", "training pairs", $"equal row counts in {nameA} and {nameB}", $"{a.Rows} and {b.Rows}");
        if (a.Rows < 2)
            throw new InputException("cca", "training pairs", "at least 2 paired training items", a.Rows.ToString());
        TorchRuntime.Initialize();
        (_nameA, _nameB, _input) = (nameA, nameB, input);
        Rank = Math.Min(a.Cols, b.Cols);
        using var scope = NewDisposeScope();
        using var n1 = ((double)(a.Rows - 1)).ToScalar();
        var (xa, sideA) = Side.Of(a, input, n1);
        var (xb, sideB) = Side.Of(b, input, n1);
        (_a, _b) = (sideA, sideB);
        _cab = xa.T.matmul(xb).div(n1).DetachFromDisposeScope();
    }

    /// <summary>The full-rank CCA for one ridge (relative to each covariance's mean eigenvalue).</summary>
    public CcaSolution Solve(double regularisation)
    {
        using var scope = NewDisposeScope();
        var ka = _a.InverseSqrt(regularisation);
        var kb = _b.InverseSqrt(regularisation);
        var (u, s, vh) = linalg.svd(ka.matmul(_cab).matmul(kb), fullMatrices: false);
        var wa = ka.matmul(u[.., ..Rank]) * _a.Scale.unsqueeze(1);
        var wb = kb.matmul(vh.T[.., ..Rank]) * _b.Scale.unsqueeze(1);
        return new CcaSolution(regularisation, _input, ToArray(s[..Rank]),
            [(_nameA, ToArray(_a.Mean), ToArray(wa)), (_nameB, ToArray(_b.Mean), ToArray(wb))]);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _cab.Dispose();
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
    /// <summary>All canonical correlations, strongest first.</summary>
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
