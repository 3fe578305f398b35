using System.Text.Json;
using System.Text.Json.Serialization;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Jfse;

/// <summary>
/// A trained JFSE model as retrieval needs it: the two regressors R_v, R_t, the input min-max
/// scalers fitted on the training data, and per medium the selected post-processing and z-score
/// statistics. Saved as <c>model.json</c> plus one weight file per regressor.
/// </summary>
public sealed class JfseModel : IEmbeddingModel
{
    public const string MethodName = "jfse";
    private const string ImageWeights = "regressor_v.bin";
    private const string TextWeights = "regressor_t.bin";

    private readonly Regressor regressorV;
    private readonly Regressor regressorT;

    public JfseArchitecture Architecture { get; }
    /// <summary>Medium names: [0] plays "v" (image), [1] plays "t" (text).</summary>
    public IReadOnlyList<string> MediumNames { get; }
    public IReadOnlyList<MinMaxScaler> InputScalers { get; }
    public IReadOnlyList<EmbeddingNormalizer> Normalizers { get; }
    /// <summary>Per medium (as <see cref="MediumNames"/>), the pretrained encoder that made its features; null entries when unknown.</summary>
    public IReadOnlyList<string?> Encoders { get; }
    public Device Device { get; }

    public string Method => MethodName;
    public int EmbeddingDimension => Architecture.ClassDimension;
    public IReadOnlyList<MediumSpec> Media =>
    [
        new(MediumNames[0], Architecture.ImageDimension, false, Encoders[0]),
        new(MediumNames[1], Architecture.TextDimension, false, Encoders[1]),
    ];

    /// <summary>Wraps copies of trained regressors (the caller keeps its own networks).</summary>
    /// <param name="encoders">Per medium, the encoder that made its features (null: unknown for both).</param>
    public JfseModel(JfseArchitecture architecture, IReadOnlyList<string> mediumNames, Regressor regressorV, Regressor regressorT,
        IReadOnlyList<MinMaxScaler> inputScalers, IReadOnlyList<EmbeddingNormalizer> normalizers, Device device,
        IReadOnlyList<string?>? encoders = null)
    {
        if (encoders is not null && encoders.Count != mediumNames.Count) throw new ArgumentException("one encoder entry per medium", nameof(encoders));
        Architecture = architecture;
        MediumNames = mediumNames;
        Encoders = encoders ?? new string?[mediumNames.Count];
        InputScalers = inputScalers;
        Normalizers = normalizers;
        Device = device;
        this.regressorV = regressorV;
        this.regressorT = regressorT;
        this.regressorV.eval();
        this.regressorT.eval();
    }

    private int RoleOf(string medium)
    {
        for (int i = 0; i < MediumNames.Count; i++) if (MediumNames[i] == medium) return i;
        throw new InputException("jfse model", "medium", $"one of {string.Join(", ", MediumNames)}", $"'{medium}'");
    }

    public Matrix Embed(EmbeddingInput input, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        int role = RoleOf(input.Medium);
        var features = FeaturesOf(input, role == 0 ? Architecture.ImageDimension : Architecture.TextDimension);
        var raw = EmbedRaw(role == 0 ? regressorV : regressorT, InputScalers[role], features, Device, progress: progress, cancellationToken: cancellationToken);
        return Normalizers[role].Apply(raw);
    }

    /// <summary>The feature rows of an input, checked against the dimension the model expects.</summary>
    public static Matrix FeaturesOf(EmbeddingInput input, int dimension)
    {
        var f = input.Features ?? throw new InputException(input.Medium, "features", "feature vectors (JFSE does not decode files)", "media files");
        if (f.Cols != dimension) throw new InputException(input.Medium, "feature dimension", dimension.ToString(), f.Cols.ToString());
        return f;
    }

    /// <summary>The features of a dataset medium, checked as <see cref="FeaturesOf(EmbeddingInput, int)"/>.</summary>
    public static Matrix FeaturesOf(Medium medium, int dimension) => FeaturesOf(EmbeddingInput.Of(medium), dimension);

    /// <summary>Regressor outputs (before post-processing) of min-max scaled features, in batches, without gradients.</summary>
    public static Matrix EmbedRaw(Regressor regressor, MinMaxScaler scaler, Matrix features, Device device, int batch = 2048,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var scaled = scaler.Apply(features);
        bool wasTraining = regressor.training;
        regressor.eval();
        var parts = new List<Matrix>();
        using (no_grad())
        {
            for (int start = 0; start < scaled.Rows; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                int n = Math.Min(batch, scaled.Rows - start);
                parts.Add(regressor.forward(scaled.ToTensor(start, n, device)).ToMatrix());
                progress?.Report(start + n);
            }
        }
        if (wasTraining) regressor.train();
        return parts.Count > 0 ? Matrix.VStack(parts) : new Matrix(0, (int)regressor.parameters().Last().shape[0]);
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        SaveModule(regressorV, Path.Combine(directory, ImageWeights));
        SaveModule(regressorT, Path.Combine(directory, TextWeights));
        var manifest = new Manifest(MethodName, Architecture, MediumNames.ToArray(), InputScalers.ToArray(), Normalizers.ToArray(), BuildInfo.Version,
            Encoders.ToArray());
        AtomicFile.WriteAllText(Path.Combine(directory, ModelStore.ManifestFile), JsonSerializer.Serialize(manifest, JsonOptions));
        FileChecksums.Write(directory, [ModelStore.ManifestFile, ImageWeights, TextWeights]);
    }

    /// <summary>Saves a module's state dict through a temporary file and a rename.</summary>
    public static void SaveModule(nn.Module module, string path)
    {
        var temp = path + ".tmp-" + Environment.ProcessId;
        module.save(temp);
        File.Move(temp, path, overwrite: true);
    }

    public static JfseModel Load(string directory) => Load(directory, CPU);

    public static JfseModel Load(string directory, Device device)
    {
        FileChecksums.Verify(directory);
        var path = Path.Combine(directory, ModelStore.ManifestFile);
        Manifest m;
        try
        {
            m = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), JsonOptions)
                ?? throw new InputException(path, "", "a JFSE model.json", "null");
        }
        catch (JsonException e)
        {
            throw new InputException(path, e.Path ?? "", "a valid JFSE model.json", e.Message, e);
        }
        if (m.MediumNames.Length != 2 || m.InputScalers.Length != 2 || m.Normalizers.Length != 2)
            throw new InputException(path, "media", "two media with scalers and normalisers", $"{m.MediumNames.Length}");
        if (m.Encoders is not null && m.Encoders.Length != 2)
            throw new InputException(path, "encoders", "one entry per medium (2)", $"{m.Encoders.Length}");
        var a = m.Architecture;
        var rv = new Regressor(a.ImageDimension, a.Hidden, a.ClassDimension, "regressor_v");
        var rt = new Regressor(a.TextDimension, a.Hidden, a.ClassDimension, "regressor_t");
        rv.load(Path.Combine(directory, ImageWeights));
        rt.load(Path.Combine(directory, TextWeights));
        rv.to(device);
        rt.to(device);
        return new JfseModel(a, m.MediumNames, rv, rt, m.InputScalers, m.Normalizers, device, m.Encoders);
    }

    public void Dispose()
    {
        regressorV.Dispose();
        regressorT.Dispose();
    }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <param name="Encoders">Per medium, the encoder of its features; absent in models saved before it was recorded.</param>
    private sealed record Manifest(
        string Method, JfseArchitecture Architecture, string[] MediumNames, MinMaxScaler[] InputScalers,
        EmbeddingNormalizer[] Normalizers, string Version, string?[]? Encoders = null);
}
