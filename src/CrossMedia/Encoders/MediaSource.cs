using CrossMedia.Media;

namespace CrossMedia.Encoders;

/// <summary>
/// One media item as a user has it: a file, or its encoded bytes in memory with a name whose
/// extension says the format (e.g. an upload's file name). <see cref="Name"/> is what errors show.
/// Bytes are decoded where they are (Skia for pictures, ffmpeg's standard input for audio and
/// video): nothing is written to disk. SVG pictures are rasterised from a file only.
/// </summary>
public sealed class MediaSource
{
    /// <summary>The file's path, or the name given with the bytes.</summary>
    public string Name { get; }

    /// <summary>The encoded bytes; null for a file.</summary>
    public byte[]? Bytes { get; }

    private MediaSource(string name, byte[]? bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Bytes = bytes;
    }

    public static MediaSource File(string path) => new(path, null);

    public static MediaSource FromBytes(byte[] bytes, string name) => new(name, bytes ?? throw new ArgumentNullException(nameof(bytes)));

    /// <summary>The files as sources, in order.</summary>
    public static IReadOnlyList<MediaSource> Files(IEnumerable<string> paths) => paths.Select(File).ToArray();

    /// <summary>The item's text (UTF-8, TuxPaint translations dropped, as <see cref="TextMedia.Read"/>).</summary>
    public string ReadText(MediaLimits limits) => Bytes is null ? TextMedia.Read(Name, limits) : TextMedia.ReadBytes(Bytes, Name, limits);

    /// <summary>The picture an image or audio item stands for (audio: FGCrossNet's spectrogram picture); video: its sampled frames.</summary>
    public RgbImage[] Pictures(MediaKind kind, int svgShorterSide, SpectrogramOptions spectrogram, int frames, MediaLimits limits) => kind switch
    {
        MediaKind.Image => [Bytes is null ? ImageDecoder.Decode(Name, svgShorterSide, limits) : ImageDecoder.DecodeBytes(Bytes, Name, limits)],
        MediaKind.Audio => [Spectrogram.Picture(Bytes is null ? AudioDecoder.Decode(Name, spectrogram.SampleRate, limits) : AudioDecoder.DecodeBytes(Bytes, Name, spectrogram.SampleRate, limits), spectrogram)],
        MediaKind.Video => Bytes is null ? VideoDecoder.SampleFrames(Name, frames, limits) : VideoDecoder.SampleFrameBytes(Bytes, Name, frames, limits),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "text has no pictures"),
    };

    public override string ToString() => Name;
}
