using System.Text.Json;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Media;
using CrossMedia.Models.Jfse;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.FgCrossNet;

/// <summary>
/// A trained FGCrossNet: reads raw media files of any of the four kinds, decodes them with the
/// media pipeline and embeds each item as the softmax of its logits (a video: of the logits
/// averaged over its frames). Saved as <c>model.json</c> (config) plus <c>network.bin</c>.
/// </summary>
public sealed class FgCrossNetModel : IEmbeddingModel
{
    public const string MethodName = "fgcrossnet";
    private const string WeightsFile = "network.bin";

    private readonly FgCrossNetNetwork _network;

    public FgCrossNetConfig Config { get; }
    public Device Device { get; }
    /// <summary>Parallel decoding workers used by <see cref="Embed(EmbeddingInput, IProgress{int}?, CancellationToken)"/>.</summary>
    public int Workers { get; init; } = Math.Max(1, Math.Min(4, Environment.ProcessorCount));

    public string Method => MethodName;
    public int EmbeddingDimension => Config.Classes;
    public IReadOnlyList<MediumSpec> Media => Config.MediumNames.Select(n => new MediumSpec(n, 0, true)).ToArray();

    /// <summary>Takes ownership of <paramref name="network"/>.</summary>
    internal FgCrossNetModel(FgCrossNetConfig config, FgCrossNetNetwork network, Device device)
    {
        Config = config;
        Device = device;
        _network = network;
        _network.eval();
    }

    internal FgCrossNetNetwork Network => _network;

    /// <summary>What one file may demand of the decoder (a service may tighten it).</summary>
    public MediaLimits Limits { get; init; } = MediaLimits.Default;

    /// <summary>Items decoded and embedded per forward pass; at most this many plus the decoder's prefetch are held at once.</summary>
    public const int BatchSize = 32;

    /// <summary>
    /// Embeds every item, streaming: a batch is decoded (the next ones decoding meanwhile), embedded and dropped, so
    /// memory stays bounded whatever the input's size. A source that cannot be decoded is an
    /// <see cref="UndecodableMediaException"/> naming it (and every other such source of the input).
    /// </summary>
    public Matrix Embed(EmbeddingInput input, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!Config.MediumNames.Contains(input.Medium))
            throw new InputException(input.Medium, "medium", $"a medium of the model ({string.Join(", ", Media)})", $"'{input.Medium}'");
        var sources = input.Sources
            ?? throw new InputException(input.Medium, "items", "media files, bytes or texts (FGCrossNet decodes media itself)", "feature vectors");
        var kind = FgCrossNetInputs.KindOf(input.Medium, sources.Count > 0 ? sources[0].Name : null);
        var decoder = new MediaDecoder(Config.DecoderOptions(_network.Backbone.Normalization, Workers) with { Limits = Limits });
        var result = new Matrix(sources.Count, EmbeddingDimension);
        using (FgCrossNetInputs.Evaluating(_network))
        {
            foreach (var batch in decoder.DecodeBatchesAsync(sources, kind, BatchSize, cancellationToken).ToBlockingEnumerable(cancellationToken))
            {
                // After a failure the rest is still decoded, to name every bad source, but no longer embedded.
                if (decoder.Problems.Count == 0) FgCrossNetInputs.EmbedBatch(_network, kind, batch, Device, result, batch[0].Row);
                progress?.Report(batch[^1].Row + 1);
            }
        }
        decoder.ThrowIfProblems();
        return result;
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        JfseModel.SaveModule(_network, Path.Combine(directory, WeightsFile));
        var manifest = new Manifest(MethodName, Config, BuildInfo.Version);
        AtomicFile.WriteAllText(Path.Combine(directory, ModelStore.ManifestFile), JsonSerializer.Serialize(manifest, JsonOptions));
        FileChecksums.Write(directory, [ModelStore.ManifestFile, WeightsFile]);
    }

    public static FgCrossNetModel Load(string directory) => Load(directory, CPU);

    public static FgCrossNetModel Load(string directory, Device device)
    {
        TorchRuntime.EnsureLoaded(); // the bundled libtorch with CrossMedia's native settings, also where no command initialised it (search, serve)
        FileChecksums.Verify(directory);
        var path = Path.Combine(directory, ModelStore.ManifestFile);
        Manifest m;
        try
        {
            m = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), JsonOptions)
                ?? throw new InputException(path, "", "an FGCrossNet model.json", "null");
        }
        catch (JsonException e)
        {
            throw new InputException(path, e.Path ?? "", "a valid FGCrossNet model.json", e.Message, e);
        }
        var net = m.Config.CreateNetwork(initialise: false, out _);
        net.load(Path.Combine(directory, WeightsFile));
        net.to(device);
        return new FgCrossNetModel(m.Config, net, device);
    }

    public void Dispose() => _network.Dispose();

    private sealed record Manifest(string Method, FgCrossNetConfig Config, string Version);

    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
