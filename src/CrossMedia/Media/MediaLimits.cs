using System.Globalization;

namespace CrossMedia.Media;

/// <summary>
/// What a media file may demand of the decoder: checked from the file's header (picture size,
/// duration, frame count) before anything is decoded, and enforced again while decoding (ffmpeg's
/// <c>-t</c>, an output-size cap and a timeout that kills the tool). The defaults keep one
/// decode under about 1 GB (a 40-megapixel picture at 16 bytes a pixel, less for anything else)
/// and two minutes per tool run, whatever the file claims.
/// </summary>
public sealed record MediaLimits
{
    public static MediaLimits Default { get; } = new();

    /// <summary>Largest picture (or video frame) area in pixels; a decoded pixel costs 16 bytes.</summary>
    public long MaxPixels { get; init; } = 40_000_000;
    /// <summary>Longest picture side in pixels.</summary>
    public int MaxSide { get; init; } = 16_384;
    /// <summary>Largest ratio of the longer to the shorter side (resizing the shorter side scales the longer one with it).</summary>
    public double MaxAspectRatio { get; init; } = 20;
    /// <summary>Largest video frame area in pixels (the sampled frames are held at once).</summary>
    public long MaxVideoFramePixels { get; init; } = 2_100_000;
    /// <summary>Longest audio, in seconds (decoded as 4-byte samples at the spectrogram's rate).</summary>
    public double MaxAudioSeconds { get; init; } = 600;
    /// <summary>Highest audio sample rate in Hz (resampling from a rate a damaged header claims, e.g. 268 MHz, makes ffmpeg allocate gigabytes).</summary>
    public double MaxAudioSampleRate { get; init; } = 384_000;
    /// <summary>Most audio channels (all are mixed down to one).</summary>
    public int MaxAudioChannels { get; init; } = 64;
    /// <summary>Longest video, in seconds.</summary>
    public double MaxVideoSeconds { get; init; } = 600;
    /// <summary>Most frames in a video (counting them decodes the stream).</summary>
    public long MaxVideoFrames { get; init; } = 36_000;
    /// <summary>Largest text file in bytes.</summary>
    public long MaxTextBytes { get; init; } = 1 << 20;
    /// <summary>Longest one ffmpeg/ffprobe run may take before it is killed.</summary>
    public TimeSpan DecodeTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>File and text queries a query encoder (a service) decodes at once, counting one waiting for the model; more are refused at once.</summary>
    public int MaxConcurrentDecodes { get; init; } = 2;

    public void Validate()
    {
        if (MaxPixels < 1 || MaxSide < 1 || MaxVideoFramePixels < 1 || MaxVideoFrames < 1 || MaxTextBytes < 1
            || !(MaxAspectRatio >= 1) || !(MaxAudioSeconds > 0) || !(MaxAudioSampleRate > 0) || MaxAudioChannels < 1 || !(MaxVideoSeconds > 0) || DecodeTimeout <= TimeSpan.Zero || MaxConcurrentDecodes < 1)
            throw new InputException("decoder", "limits", "positive limits (aspect ratio at least 1)", ToString());
    }

    /// <summary>Refuses a picture or frame of <paramref name="width"/>×<paramref name="height"/> above the limits.</summary>
    public void CheckPicture(string source, int width, int height, long maxPixels)
    {
        if (width < 1 || height < 1) throw new InputException(source, "size", "a picture of at least 1x1 pixels", $"{width}x{height}");
        string size = $"{width}x{height}";
        if (Math.Max(width, height) > MaxSide)
            throw new MediaLimitException(source, "size", $"sides of at most {MaxSide} pixels", size);
        if ((long)width * height > maxPixels)
            throw new MediaLimitException(source, "size", $"at most {Format(maxPixels / 1e6)} megapixels", size);
        if ((double)Math.Max(width, height) / Math.Min(width, height) > MaxAspectRatio)
            throw new MediaLimitException(source, "size", $"an aspect ratio of at most {Format(MaxAspectRatio)}:1", size);
    }

    /// <summary>Refuses a duration above <paramref name="maxSeconds"/>.</summary>
    public static void CheckSeconds(string source, double seconds, double maxSeconds)
    {
        if (seconds > maxSeconds)
            throw new MediaLimitException(source, "duration", $"at most {Format(maxSeconds)} seconds", $"{Format(seconds)} seconds");
    }

    /// <summary>Refuses an audio stream whose header claims a sample rate or channel count above the limits.</summary>
    public void CheckAudioFormat(string source, double? sampleRate, int channels)
    {
        if (sampleRate > MaxAudioSampleRate)
            throw new MediaLimitException(source, "sample rate", $"at most {Format(MaxAudioSampleRate)} Hz", $"{Format(sampleRate.Value)} Hz");
        if (channels > MaxAudioChannels)
            throw new MediaLimitException(source, "channels", $"at most {MaxAudioChannels}", channels.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Refuses a video of more than <see cref="MaxVideoFrames"/> frames.</summary>
    public void CheckFrames(string source, long frames)
    {
        if (frames > MaxVideoFrames)
            throw new MediaLimitException(source, "frames", $"at most {MaxVideoFrames} frames", frames.ToString(CultureInfo.InvariantCulture));
    }

    internal static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>A media file refused because it exceeds a <see cref="MediaLimits"/> limit (HTTP 413, CLI exit 2).</summary>
public sealed class MediaLimitException(string source, string field, string expected, string found)
    : InputException(source, field, expected, found);
