// Regularised canonical correlation analysis (Hotelling 1936; as a cross-modal retrieval baseline:
// Rasiwasia et al., "A new approach to cross-modal multimedia retrieval", ACM MM 2010).
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Cca;

/// <summary>CCA settings.</summary>
/// <param name="Regularisation">Ridge added to each covariance, relative to its mean eigenvalue (trace / d).</param>
/// <param name="Dimensions">Canonical dimensions kept; 0 = min(d_a, d_b).</param>
/// <param name="CorrelationPower">Each canonical dimension is scaled by its correlation to this power (0 = plain projection).</param>
public sealed record CcaConfig(double Regularisation = 1e-3, int Dimensions = 0, double CorrelationPower = 0);

/// <summary>
/// A fitted CCA between two media: per medium a mean and a projection into the shared canonical space.
/// </summary>
public sealed class CcaModel : IEmbeddingModel
{
    private readonly MediumProjection[] _projections;

    public string Method => "cca";
    public CcaConfig Config { get; }
    /// <summary>Canonical correlations of the kept dimensions, strongest first.</summary>
    public double[] Correlations { get; }
    public IReadOnlyList<MediumSpec> Media => _projections.Select(p => new MediumSpec(p.Name, p.Mean.Length, false, p.Encoder)).ToArray();
    public int EmbeddingDimension => Correlations.Length;

    private CcaModel(MediumProjection[] projections, double[] correlations, CcaConfig config)
    {
        _projections = projections;
        Correlations = correlations;
        Config = config;
    }

    /// <summary>Fits CCA on paired rows: row i of <paramref name="a"/> and of <paramref name="b"/> are one object.
    /// <paramref name="encoders"/>: the pretrained encoders that made the features of a and b, when known (recorded for queries).</summary>
    public static CcaModel Fit(string nameA, Matrix a, string nameB, Matrix b, CcaConfig config, (string? A, string? B) encoders = default)
    {
        if (a.Rows != b.Rows)
            throw new InputException("cca", "training pairs", $"equal row counts in {nameA} and {nameB}", $"{a.Rows} and {b.Rows}");
        if (a.Rows < 2)
            throw new InputException("cca", "training pairs", "at least 2 paired training items", a.Rows.ToString());
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        var x = ToTensor(a);
        var y = ToTensor(b);
        var mx = x.mean([0]);
        var my = y.mean([0]);
        var xc = x - mx;
        var yc = y - my;
        using var n1 = ((double)(a.Rows - 1)).ToScalar();
        var cxx = Regularise(xc.T.matmul(xc).div(n1), config.Regularisation);
        var cyy = Regularise(yc.T.matmul(yc).div(n1), config.Regularisation);
        var cxy = xc.T.matmul(yc).div(n1);
        var kx = InverseSqrt(cxx);
        var ky = InverseSqrt(cyy);
        var (u, s, vh) = linalg.svd(kx.matmul(cxy).matmul(ky), fullMatrices: false);
        int k = Math.Min(a.Cols, b.Cols);
        if (config.Dimensions > 0) k = Math.Min(k, config.Dimensions);
        var correlations = s[..k];
        using var power = config.CorrelationPower.ToScalar();
        var scale = correlations.clamp_min(TorchScalars.Tiny).pow(power);
        var wx = kx.matmul(u[.., ..k]) * scale;
        var wy = ky.matmul(vh.T[.., ..k]) * scale;
        return new CcaModel(
            [new MediumProjection(nameA, ToArray(mx), ToArray(wx), a.Cols, k, encoders.A), new MediumProjection(nameB, ToArray(my), ToArray(wy), b.Cols, k, encoders.B)],
            ToArray(correlations), config);
    }

    public Matrix Embed(Medium medium)
    {
        var p = _projections.FirstOrDefault(p => p.Name == medium.Name)
            ?? throw new InputException(medium.Name, "medium", $"one of {string.Join(", ", Media)}", $"'{medium.Name}'");
        var features = medium.Features
            ?? throw new InputException(medium.Name, "items", $"{p.InputDimension}-d feature vectors (this CCA model cannot decode media files)", "files");
        if (features.Cols != p.InputDimension)
            throw new InputException(medium.Name, "features", $"{p.InputDimension} columns", $"{features.Cols}");
        return p.Project(features);
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var json = new JsonObject
        {
            ["method"] = Method,
            ["version"] = BuildInfo.Version,
            ["config"] = JsonSerializer.SerializeToNode(Config),
            ["correlations"] = new JsonArray(Correlations.Select(c => (JsonNode)c).ToArray()),
            ["media"] = new JsonArray(_projections.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p.Name,
                ["encoder"] = p.Encoder,
                ["input_dimension"] = p.InputDimension,
                ["mean"] = new JsonArray(p.Mean.Select(v => (JsonNode)v).ToArray()),
                ["projection"] = new JsonArray(p.Projection.Select(v => (JsonNode)v).ToArray()),
            }).ToArray()),
        };
        AtomicFile.WriteAllText(Path.Combine(directory, ModelStore.ManifestFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        FileChecksums.Write(directory, [ModelStore.ManifestFile]);
    }

    public static CcaModel Load(string directory)
    {
        FileChecksums.Verify(directory);
        var path = Path.Combine(directory, ModelStore.ManifestFile);
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var config = json["config"].Deserialize<CcaConfig>() ?? new CcaConfig();
            var correlations = json["correlations"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            int k = correlations.Length;
            var media = json["media"]!.AsArray().Select(m =>
            {
                var mean = m!["mean"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
                var projection = m["projection"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
                if (projection.Length != mean.Length * k)
                    throw new InputException(path, $"media.{m["name"]}.projection", $"{mean.Length}×{k} values", projection.Length.ToString());
                // "encoder" is absent in models saved before it was recorded: unknown.
                return new MediumProjection(m["name"]!.GetValue<string>(), mean, projection, mean.Length, k, m["encoder"]?.GetValue<string>());
            }).ToArray();
            return new CcaModel(media, correlations, config);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InputException(path, "", "a CCA model.json written by crossmedia", e.Message, e);
        }
    }

    public void Dispose() { }

    private static Tensor ToTensor(Matrix m) => tensor(m.Data, [m.Rows, m.Cols]).to_type(ScalarType.Float64);

    private static double[] ToArray(Tensor t) => t.contiguous().data<double>().ToArray();

    private static Tensor Regularise(Tensor c, double relative)
    {
        int d = (int)c.shape[0];
        using var ridge = (relative * c.trace().item<double>() / d + 1e-12).ToScalar();
        return c.add(eye(d, dtype: ScalarType.Float64), ridge);
    }

    private static Tensor InverseSqrt(Tensor c)
    {
        var (values, vectors) = linalg.eigh(c);
        return vectors.matmul(diag(values.clamp_min(TorchScalars.Tiny).rsqrt())).matmul(vectors.T);
    }

    /// <summary>Centering then a d × k projection, in double precision; <paramref name="Encoder"/> made the medium's features.</summary>
    private sealed record MediumProjection(string Name, double[] Mean, double[] Projection, int InputDimension, int K, string? Encoder)
    {
        public Matrix Project(Matrix x)
        {
            var result = new Matrix(x.Rows, K);
            var centred = new double[InputDimension];
            for (int i = 0; i < x.Rows; i++)
            {
                var row = x.RowReadOnly(i);
                for (int j = 0; j < InputDimension; j++) centred[j] = row[j] - Mean[j];
                var outRow = result.Row(i);
                for (int c = 0; c < K; c++)
                {
                    double sum = 0;
                    for (int j = 0; j < InputDimension; j++) sum += centred[j] * Projection[j * K + c];
                    outRow[c] = (float)sum;
                }
            }
            return result;
        }
    }
}
