// Regularised canonical correlation analysis (Hotelling 1936; as a cross-modal retrieval baseline:
// Rasiwasia et al., "A new approach to cross-modal multimedia retrieval", ACM MM 2010).
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CrossMedia.Core;
using CrossMedia.Data;

namespace CrossMedia.Models.Cca;

/// <summary>
/// How each item's feature vector is normalised before CCA; the model applies the same to every
/// item it embeds later (queries, index builds).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<CcaInput>))]
public enum CcaInput
{
    /// <summary>Raw features (also what a model file that does not record this setting uses).</summary>
    [JsonStringEnumMemberName("none")] None,
    /// <summary>Each item scaled to unit Euclidean length: only a vector's direction counts, as with cosine retrieval.</summary>
    [JsonStringEnumMemberName("l2")] L2,
    /// <summary>Each feature standardised with the training mean and standard deviation (folded into the projection).</summary>
    [JsonStringEnumMemberName("zscore")] ZScore,
}

/// <summary>CCA settings.</summary>
/// <param name="Regularisation">Ridge added to each covariance, relative to its mean eigenvalue (trace / d), so it means the same on any feature scale.</param>
/// <param name="Dimensions">Canonical dimensions kept; 0 = all (the smallest medium's dimension: min(d_a, d_b) for two).</param>
/// <param name="CorrelationPower">Each canonical dimension is scaled by its correlation to this power (0 = plain projection).</param>
/// <param name="Input">Input normalisation; a model file without it predates the setting and used none.</param>
public sealed record CcaConfig(double Regularisation = 1e-3, int Dimensions = 0, double CorrelationPower = 0, CcaInput Input = CcaInput.None);

/// <summary>
/// A fitted CCA between two or more media: per medium an input normalisation, a mean and a projection into
/// the shared canonical space.
/// </summary>
public sealed class CcaModel : IEmbeddingModel
{
    private readonly MediumProjection[] _projections;

    public string Method => "cca";
    public CcaConfig Config { get; }
    /// <summary>Canonical correlations of the kept dimensions, strongest first (more than two media: each the mean over pairs of media).</summary>
    public double[] Correlations { get; }
    public IReadOnlyList<MediumSpec> Media => _projections.Select(p => new MediumSpec(p.Name, p.Mean.Length, false, p.Encoder)).ToArray();
    public int EmbeddingDimension => Correlations.Length;

    internal CcaModel(MediumProjection[] projections, double[] correlations, CcaConfig config)
    {
        _projections = projections;
        Correlations = correlations;
        Config = config;
    }

    /// <summary>Fits CCA (multi-set CCA for more than two media, <see cref="CcaSolver"/>) on paired rows: row i of every medium is one object;
    /// <paramref name="encoders"/>: per medium, the pretrained encoder that made its features, when known (recorded for queries).</summary>
    public static CcaModel Fit(IReadOnlyList<(string Name, Matrix Features)> media, CcaConfig config, IReadOnlyList<string?>? encoders = null)
    {
        using var solver = new CcaSolver(media, config.Input);
        var model = solver.Solve(config.Regularisation).Model(config.Dimensions, config.CorrelationPower);
        return encoders is null ? model : model.WithEncoders(encoders);
    }

    /// <summary>This model recording which pretrained encoders made the features of its media (in <see cref="Media"/> order; null: unknown).</summary>
    public CcaModel WithEncoders(IReadOnlyList<string?> encoders) =>
        encoders.Count == _projections.Length
            ? new(_projections.Zip(encoders, (p, e) => p with { Encoder = e }).ToArray(), Correlations, Config)
            : throw new ArgumentException("one encoder entry per medium", nameof(encoders));

    public Matrix Embed(EmbeddingInput input, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var p = _projections.FirstOrDefault(p => p.Name == input.Medium)
            ?? throw new InputException(input.Medium, "medium", $"one of {string.Join(", ", Media)}", $"'{input.Medium}'");
        var features = input.Features
            ?? throw new InputException(input.Medium, "items", $"{p.InputDimension}-d feature vectors (this CCA model cannot decode media files)", "files");
        if (features.Cols != p.InputDimension)
            throw new InputException(input.Medium, "features", $"{p.InputDimension} columns", $"{features.Cols}");
        // Row by row, in memory already: one pass, reported at its end.
        var result = p.Project(features, unitLength: Config.Input == CcaInput.L2);
        progress?.Report(input.Count);
        return result;
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
                ["input_dimension"] = p.InputDimension,
                ["encoder"] = p.Encoder,
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
                // A model file without "encoder" leaves the encoder unknown.
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

    /// <summary>Centring, then a d × k projection, in double precision; <paramref name="Encoder"/> made the medium's features.</summary>
    internal sealed record MediumProjection(string Name, double[] Mean, double[] Projection, int InputDimension, int K, string? Encoder = null)
    {
        /// <summary>The rows of <paramref name="x"/> projected, each scaled to unit length first when <paramref name="unitLength"/> (<see cref="CcaInput.L2"/>).</summary>
        public Matrix Project(Matrix x, bool unitLength)
        {
            var result = new Matrix(x.Rows, K);
            var centred = new double[InputDimension];
            for (int i = 0; i < x.Rows; i++)
            {
                var row = x.RowReadOnly(i);
                double scale = 1;
                if (unitLength)
                {
                    double norm = 0;
                    for (int j = 0; j < InputDimension; j++) norm += (double)row[j] * row[j];
                    scale = 1 / Math.Max(Math.Sqrt(norm), CcaSolver.MinNorm);
                }
                for (int j = 0; j < InputDimension; j++) centred[j] = row[j] * scale - Mean[j];
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
