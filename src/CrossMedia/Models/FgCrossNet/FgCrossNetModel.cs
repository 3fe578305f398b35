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
public sealed class FgCrossNetModel : ITextEmbeddingModel
{
    public const string MethodName = "fgcrossnet";
    private const string WeightsFile = "network.bin";

    private readonly FgCrossNetNetwork network;

    public FgCrossNetConfig Config { get; }
    public Device Device { get; }
    /// <summary>Parallel decoding workers used by <see cref="Embed"/>.</summary>
    public int Workers { get; init; } = Math.Max(1, Math.Min(4, Environment.ProcessorCount));

    public string Method => MethodName;
    public int EmbeddingDimension => Config.Classes;
    public IReadOnlyList<MediumSpec> Media => Config.MediumNames.Select(n => new MediumSpec(n, 0, true)).ToArray();

    /// <summary>Takes ownership of <paramref name="network"/>.</summary>
    internal FgCrossNetModel(FgCrossNetConfig config, FgCrossNetNetwork network, Device device)
    {
        Config = config;
        Device = device;
        this.network = network;
        this.network.eval();
    }

    internal FgCrossNetNetwork Network => network;

    /// <summary>What one file may demand of the decoder (a service may tighten it).</summary>
    public MediaLimits Limits { get; init; } = MediaLimits.Default;

    /// <summary>Embeds every item; a file that cannot be decoded is an <see cref="UndecodableMediaException"/> naming it.</summary>
    public Matrix Embed(Medium medium)
    {
        var kind = FgCrossNetInputs.KindOf(medium);
        var decoder = new MediaDecoder(Config.DecoderOptions(network.Backbone.Normalization, Workers) with { Limits = Limits });
        var items = FgCrossNetInputs.DecodeAll(decoder, medium);
        decoder.ThrowIfProblems();
        return FgCrossNetInputs.Embed(network, kind, items, Device);
    }

    /// <summary>Embeds strings as items of a text medium, as its files' texts would be (no file involved).</summary>
    public Matrix EmbedTexts(string medium, IReadOnlyList<string> texts)
    {
        if (!Config.MediumNames.Contains(medium) || MediaKinds.FromMediumName(medium) != MediaKind.Text)
            throw new InputException(medium, "medium", $"a text medium of the model ({string.Join(", ", Media)})", $"'{medium}'");
        var items = texts.Select((t, i) => new DecodedItem
        {
            Row = i, Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Label = 0, Split = Split.Test,
            Kind = MediaKind.Text, Path = "", Text = t,
        }).ToArray();
        return FgCrossNetInputs.Embed(network, MediaKind.Text, items, Device);
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        JfseModel.SaveModule(network, Path.Combine(directory, WeightsFile));
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

    public void Dispose() => network.Dispose();

    private sealed record Manifest(string Method, FgCrossNetConfig Config, string Version);

    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
