using CrossMedia.Media;

namespace CrossMedia.Encoders;

/// <summary>
/// The pretrained encoders a medium's features may come from, by the name that manifests
/// (<c>media.NAME.encoder</c>), saved models and indexes record: <c>resnet18</c> (ImageNet
/// ResNet-18, pooled 512-d: images; audio as its spectrogram picture; video as the mean of its
/// frames) and <c>minilm</c> (all-MiniLM-L6-v2 sentence vectors, 384-d: text).
/// </summary>
public static class EncoderNames
{
    public const string ResNet18 = "resnet18";
    public const string MiniLm = "minilm";

    public static IReadOnlyList<string> All { get; } = [ResNet18, MiniLm];

    /// <summary>True when the encoder <paramref name="name"/> reads inputs of <paramref name="kind"/>.</summary>
    public static bool Reads(string name, MediaKind kind) => name switch
    {
        ResNet18 => kind is MediaKind.Image or MediaKind.Audio or MediaKind.Video,
        MiniLm => kind == MediaKind.Text,
        _ => false,
    };

    /// <summary>The encoders that can have made features of a medium named <paramref name="medium"/>: those that
    /// read its kind when the name says one ("image", "text", ...), else every encoder.</summary>
    public static IReadOnlyList<string> For(string medium) =>
        MediaKinds.FromMediumName(medium) is { } kind ? All.Where(n => Reads(n, kind)).ToArray() : All;
}
