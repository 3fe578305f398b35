using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Jfse;

/// <summary>
/// A trained JFSE model as retrieval needs it: one regressor per medium (R_v, R_t for the spec's two), the
/// input min-max scalers fitted on the training data, and per medium the selected post-processing and
/// z-score statistics. Saved as <c>model.json</c> plus one weight file per regressor
/// (<c>regressor_v.bin</c>, <c>regressor_t.bin</c>, <c>regressor_2.bin</c>, ...; <see cref="JfseArchitecture.Suffix"/>).
/// </summary>
public sealed class JfseModel : IEmbeddingModel
{
    public const string MethodName = "jfse";

    private readonly Regressor[] _regressors;

    public JfseArchitecture Architecture { get; }
    /// <summary>Medium names in the architecture's order: [0] plays "v" (image), [1] plays "t" (text).</summary>
    public IReadOnlyList<string> MediumNames { get; }
    internal IReadOnlyList<MinMaxScaler> InputScalers { get; }
    internal IReadOnlyList<EmbeddingNormalizer> Normalizers { get; }
    /// <summary>Per medium (as <see cref="MediumNames"/>), the pretrained encoder that made its features; null entries when unknown.</summary>
    public IReadOnlyList<string?> Encoders { get; }
    public Device Device { get; }

    public string Method => MethodName;
    public int EmbeddingDimension => Architecture.ClassDimension;
    public IReadOnlyList<MediumSpec> Media =>
        MediumNames.Select((name, m) => new MediumSpec(name, Architecture.MediumDimensions[m], false, Encoders[m])).ToArray();

    /// <summary>Wraps copies of trained regressors, one per medium (the caller keeps its own networks).</summary>
    /// <param name="encoders">Per medium, the encoder that made its features (null: unknown for every medium).</param>
    internal JfseModel(JfseArchitecture architecture, IReadOnlyList<string> mediumNames, IReadOnlyList<Regressor> regressors,
        IReadOnlyList<MinMaxScaler> inputScalers, IReadOnlyList<EmbeddingNormalizer> normalizers, Device device,
        IReadOnlyList<string?>? encoders = null)
    {
        int count = architecture.MediaCount;
        if (mediumNames.Count != count || regressors.Count != count || inputScalers.Count != count || normalizers.Count != count)
            throw new ArgumentException($"one name, regressor, scaler and normaliser per medium ({count})");
        if (encoders is not null && encoders.Count != count) throw new ArgumentException("one encoder entry per medium", nameof(encoders));
        Architecture = architecture;
        MediumNames = mediumNames;
        Encoders = encoders ?? new string?[count];
        InputScalers = inputScalers;
        Normalizers = normalizers;
        Device = device;
        _regressors = regressors.ToArray();
        foreach (var r in _regressors) r.eval();
    }

    private int RoleOf(string medium)
    {
        for (int i = 0; i < MediumNames.Count; i++) if (MediumNames[i] == medium) return i;
        throw new InputException("jfse model", "medium", $"one of {string.Join(", ", MediumNames)}", $"'{medium}'");
    }

    public Matrix Embed(EmbeddingInput input, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        int role = RoleOf(input.Medium);
        var features = FeaturesOf(input, Architecture.MediumDimensions[role]);
        var raw = EmbedRaw(_regressors[role], InputScalers[role], features, Device, progress: progress, cancellationToken: cancellationToken);
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
    internal static Matrix EmbedRaw(Regressor regressor, MinMaxScaler scaler, Matrix features, Device device, int batch = 2048,
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
                parts.Add(regressor.call(scaled.ToTensor(start, n, device)).ToMatrix());
                progress?.Report(start + n);
            }
        }
        if (wasTraining) regressor.train();
        return parts.Count > 0 ? Matrix.VStack(parts) : new Matrix(0, (int)regressor.parameters().Last().shape[0]);
    }

    /// <summary>The weight file of medium <paramref name="index"/>'s regressor.</summary>
    private static string WeightsFile(int index) => $"regressor_{JfseArchitecture.Suffix(index)}.bin";

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        for (int m = 0; m < _regressors.Length; m++) SaveModule(_regressors[m], Path.Combine(directory, WeightsFile(m)));
        var manifest = new Manifest(MethodName, Architecture, MediumNames.ToArray(), InputScalers.ToArray(), Normalizers.ToArray(), BuildInfo.Version,
            Encoders.ToArray());
        AtomicFile.WriteAllText(Path.Combine(directory, ModelStore.ManifestFile), JsonSerializer.Serialize(manifest, JsonOptions));
        FileChecksums.Write(directory, [ModelStore.ManifestFile, .. Enumerable.Range(0, _regressors.Length).Select(WeightsFile)]);
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
        TorchRuntime.EnsureLoaded(); // the bundled libtorch with CrossMedia's native settings, also where no command initialised it (search, serve)
        FileChecksums.Verify(directory);
        var path = Path.Combine(directory, ModelStore.ManifestFile);
        Manifest m;
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path));
            // A two-media model file may give "image_dimension" and "text_dimension" instead of "medium_dimensions".
            if (json?["architecture"] is JsonObject a && !a.ContainsKey("medium_dimensions") && a["image_dimension"] is { } image && a["text_dimension"] is { } text)
                a["medium_dimensions"] = new JsonArray(image.DeepClone(), text.DeepClone());
            m = json.Deserialize<Manifest>(JsonOptions) ?? throw new InputException(path, "", "a JFSE model.json", "null");
        }
        catch (JsonException e)
        {
            throw new InputException(path, e.Path ?? "", "a valid JFSE model.json", e.Message, e);
        }
        var arch = m.Architecture;
        int count = arch?.MediumDimensions?.Count ?? 0;
        if (arch is null || count < 2)
            throw new InputException(path, "architecture.medium_dimensions", "two or more media", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (m.MediumNames.Length != count || m.InputScalers.Length != count || m.Normalizers.Length != count)
            throw new InputException(path, "media", $"{count} media with scalers and normalisers (one per medium of the architecture)",
                $"{m.MediumNames.Length} names, {m.InputScalers.Length} scalers, {m.Normalizers.Length} normalisers");
        if (m.Encoders is not null && m.Encoders.Length != count)
            throw new InputException(path, "encoders", $"one entry per medium ({count})", $"{m.Encoders.Length}");
        var regressors = Enumerable.Range(0, count).Select(i =>
        {
            var r = arch.NewRegressor(i);
            r.load(Path.Combine(directory, WeightsFile(i)));
            r.to(device);
            return r;
        }).ToArray();
        return new JfseModel(arch, m.MediumNames, regressors, m.InputScalers, m.Normalizers, device, m.Encoders);
    }

    public void Dispose()
    {
        foreach (var r in _regressors) r.Dispose();
    }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <param name="Encoders">Per medium, the encoder of its features; absent when the model file does not record it.</param>
    private sealed record Manifest(
        string Method, JfseArchitecture Architecture, string[] MediumNames, MinMaxScaler[] InputScalers,
        EmbeddingNormalizer[] Normalizers, string Version, string?[]? Encoders = null);
}
