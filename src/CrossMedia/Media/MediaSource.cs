namespace CrossMedia.Media;

/// <summary>
/// One media item as a user has it: a file, its encoded bytes in memory with a name whose
/// extension says the format (e.g. an upload's file name), or a text as a string (a free-text
/// query). <see cref="Name"/> is what errors show. Bytes are decoded where they are (Skia for
/// pictures, ffmpeg's standard input for audio and video): nothing is written to disk. SVG
/// pictures are rasterised from a file only.
/// </summary>
public sealed class MediaSource
{
    /// <summary>The file's path, or the name given with the bytes or the text.</summary>
    public string Name { get; }

    /// <summary>The encoded bytes; null for a file or a text.</summary>
    public byte[]? Bytes { get; }

    /// <summary>The text of a text item given as a string; null for a file or bytes.</summary>
    public string? Text { get; }

    /// <summary>True for a file on disk (the only kind a decode cache or a header check by path can use).</summary>
    public bool IsFile => Bytes is null && Text is null;

    private MediaSource(string name, byte[]? bytes, string? text)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Bytes = bytes;
        Text = text;
    }

    public static MediaSource File(string path) => new(path, null, null);

    public static MediaSource FromBytes(byte[] bytes, string name) => new(name, bytes ?? throw new ArgumentNullException(nameof(bytes)), null);

    /// <summary>A text given as a string; <paramref name="name"/> names it in errors.</summary>
    public static MediaSource FromText(string text, string name = "text") => new(name, null, text ?? throw new ArgumentNullException(nameof(text)));

    /// <summary>The files as sources, in order.</summary>
    public static IReadOnlyList<MediaSource> Files(IEnumerable<string> paths) => paths.Select(File).ToArray();

    /// <summary>The strings as text sources, in order.</summary>
    public static IReadOnlyList<MediaSource> Texts(IEnumerable<string> texts) => texts.Select(t => FromText(t)).ToArray();

    /// <summary>
    /// The item's text: a string as given; a file or bytes as UTF-8 with TuxPaint translations dropped
    /// (<see cref="TextMedia.Read"/>).
    /// </summary>
    public string ReadText(MediaLimits limits) =>
        Text ?? (Bytes is null ? TextMedia.Read(Name, limits) : TextMedia.ReadBytes(Bytes, Name, limits));

    /// <summary>The picture an image or audio item stands for (audio: FGCrossNet's spectrogram picture); video: its sampled frames.</summary>
    public RgbImage[] Pictures(MediaKind kind, int svgShorterSide, SpectrogramOptions spectrogram, int frames, MediaLimits limits)
    {
        if (Text is not null)
            throw new InputException(Name, "", $"a {kind.ToString().ToLowerInvariant()} file", "text");
        return kind switch
        {
            MediaKind.Image => [Bytes is null ? ImageDecoder.Decode(Name, svgShorterSide, limits) : ImageDecoder.DecodeBytes(Bytes, Name, limits)],
            MediaKind.Audio => [Spectrogram.Picture(Bytes is null ? AudioDecoder.Decode(Name, spectrogram.SampleRate, limits) : AudioDecoder.DecodeBytes(Bytes, Name, spectrogram.SampleRate, limits), spectrogram)],
            MediaKind.Video => Bytes is null ? VideoDecoder.SampleFrames(Name, frames, limits) : VideoDecoder.SampleFrameBytes(Bytes, Name, frames, limits),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "text has no pictures"),
        };
    }

    public override string ToString() => Name;
}
