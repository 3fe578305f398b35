using CrossMedia.Core;
using CrossMedia.Media;

namespace CrossMedia.Encoders;

/// <summary>
/// The one place that maps a medium and an encoder name to a pretrained encoder:
/// <c>resnet18</c> for image, audio (its spectrogram picture) and video (the mean of its sampled
/// frames), <c>minilm</c> for text. Features, indexes and search record the name and rebuild the
/// encoder here.
/// </summary>
public static class EncoderCatalog
{
    public const string ResNet18 = ResNet18Encoder.EncoderName;
    public const string MiniLm = "minilm";

    /// <summary>Every encoder name.</summary>
    public static IReadOnlyList<string> All { get; } = [ResNet18, MiniLm];

    /// <summary>True when encoder <paramref name="name"/> reads inputs of <paramref name="kind"/>.</summary>
    public static bool Reads(string name, MediaKind kind) => NamesFor(kind).Contains(name);

    /// <summary>The encoders that can have made the features of a medium named <paramref name="medium"/>: those that
    /// read its kind when the name says one ("image", "text", "video-derived", ...), else every encoder.</summary>
    public static IReadOnlyList<string> For(string medium) =>
        MediaKinds.FromMediumName(medium) is { } kind ? NamesFor(kind) : All;

    /// <summary>Encoder names that read <paramref name="kind"/>, the default first.</summary>
    public static IReadOnlyList<string> NamesFor(MediaKind kind) => kind == MediaKind.Text ? [MiniLm] : [ResNet18];

    /// <summary>The encoder a medium gets when none is named.</summary>
    public static string DefaultFor(MediaKind kind) => NamesFor(kind)[0];

    /// <summary>The feature length of a known encoder (the same for every medium it reads).</summary>
    public static int DimensionOf(string name) => name == MiniLm ? MiniLmTextEncoder.OutputDimension : ResNet18Encoder.OutputDimension;

    /// <summary>The feature length encoder <paramref name="name"/> gives for <paramref name="kind"/> (checks the pair like <see cref="Create(MediaKind, string, EncoderOptions?, string)"/>).</summary>
    public static int DimensionOf(MediaKind kind, string name, string location = "encoder") =>
        DimensionOf(Canonical(kind, name, location));

    /// <summary>
    /// The encoder <paramref name="name"/> for medium <paramref name="medium"/> ("image", "text",
    /// "audio", "video" or a name starting with one of them). A medium or name it does not know is an
    /// <see cref="InputException"/> at <paramref name="location"/> (e.g. the option or file that named it).
    /// </summary>
    public static MediumEncoder Create(string medium, string name, EncoderOptions? options = null, string location = "encoder") =>
        Create(KindOf(medium, location), name, options, location);

    /// <inheritdoc cref="Create(string, string, EncoderOptions?, string)"/>
    public static MediumEncoder Create(MediaKind kind, string name, EncoderOptions? options = null, string location = "encoder")
    {
        options ??= new EncoderOptions();
        options.Validate();
        return Canonical(kind, name, location) == MiniLm
            ? new MediumEncoder(kind, new MiniLmTextEncoder(options.Threads, options.BatchSize > 0 ? options.BatchSize : MiniLmTextEncoder.DefaultBatchSize), null, options.Limits)
            : new MediumEncoder(kind, null, new ResNet18Encoder(kind, options), options.Limits);
    }

    /// <summary>The kind of media a medium name stands for; an <see cref="InputException"/> for other names.</summary>
    public static MediaKind KindOf(string medium, string location = "encoder") => MediaKinds.FromMediumName(medium)
        ?? throw new InputException(location, medium, "a medium named image, text, audio or video (or starting with one of them)", $"'{medium}'");

    /// <summary>The canonical (lower-case) name of encoder <paramref name="name"/> for <paramref name="kind"/>, or an
    /// <see cref="InputException"/> at <paramref name="location"/> naming the encoders that read that kind.</summary>
    public static string Canonical(MediaKind kind, string name, string location = "encoder")
    {
        var names = NamesFor(kind);
        return names.FirstOrDefault(n => string.Equals(n, name?.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new InputException(location, kind.ToString().ToLowerInvariant(), $"an encoder for {kind.ToString().ToLowerInvariant()}: {string.Join(" or ", names)}", InputException.Excerpt(name ?? ""));
    }
}

/// <summary>
/// An encoder for one medium from <see cref="EncoderCatalog"/>: files or in-memory bytes of that
/// medium (text files too) and, for text, strings → L2-normalised feature rows in input order.
/// </summary>
public sealed class MediumEncoder : IEncoder<MediaSource>
{
    private readonly MiniLmTextEncoder? _text;
    private readonly ResNet18Encoder? _pictures;
    private readonly MediaLimits _limits;

    internal MediumEncoder(MediaKind kind, MiniLmTextEncoder? text, ResNet18Encoder? pictures, MediaLimits limits)
    {
        Kind = kind;
        _text = text;
        _pictures = pictures;
        _limits = limits;
    }

    public MediaKind Kind { get; }
    public string Name => _text?.Name ?? _pictures!.Name;
    public int Dimension => _text?.Dimension ?? _pictures!.Dimension;

    /// <summary>Encodes files or bytes of this medium; undecodable ones are named in one <see cref="UndecodableMediaException"/>.</summary>
    public Matrix Encode(IReadOnlyList<MediaSource> items, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (_pictures is not null) return _pictures.Encode(items, progress, cancellationToken);
        var texts = new string[items.Count];
        var problems = new List<MediaProblem>();
        for (int i = 0; i < items.Count; i++)
        {
            try
            {
                texts[i] = items[i].ReadText(_limits);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                problems.Add(MediaProblem.Of(items[i].Name, e));
            }
        }
        if (problems.Count > 0) throw new UndecodableMediaException(problems);
        return _text!.Encode(texts, progress, cancellationToken);
    }

    /// <summary>Encodes strings (text only).</summary>
    public Matrix EncodeTexts(IReadOnlyList<string> texts, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        (_text ?? throw new InputException("encoder", Kind.ToString().ToLowerInvariant(), "text for a text encoder", $"free text for {Name}"))
            .Encode(texts, progress, cancellationToken);

    /// <summary>One item's unit feature row.</summary>
    public float[] Encode(MediaSource item) => Encode([item]).Data;

    /// <summary>One string's unit feature row (text only).</summary>
    public float[] EncodeText(string text) => EncodeTexts([text]).Data;

    public void Dispose()
    {
        _text?.Dispose();
        _pictures?.Dispose();
    }
}
