namespace CrossMedia.Media;

/// <summary>
/// Checks a media file before anything decodes it: it exists, its header is one the decoder of
/// its kind reads, and what the header claims (size, duration, frames) is within the limits.
/// Cheap (a header read or one ffprobe call), so a service can refuse a hostile upload in
/// milliseconds whichever model embeds it.
/// </summary>
internal static class MediaCheck
{
    /// <summary>Throws an <see cref="InputException"/> (a <see cref="MediaLimitException"/> past a limit) naming the file and what is wrong.</summary>
    public static void File(string path, MediaKind kind, MediaLimits? limits = null)
    {
        limits ??= MediaLimits.Default;
        switch (kind)
        {
            case MediaKind.Image:
                ImageDecoder.Check(path, limits: limits);
                break;
            case MediaKind.Audio:
                AudioDecoder.Check(path, limits);
                break;
            case MediaKind.Video:
                VideoDecoder.Check(path, limits);
                break;
            default:
                TextMedia.Read(path, limits);
                break;
        }
    }

    /// <summary>The same check for any source: a file as <see cref="File"/>, bytes from their header in memory, a string by its length.</summary>
    public static void Source(MediaSource source, MediaKind kind, MediaLimits? limits = null)
    {
        limits ??= MediaLimits.Default;
        if (source.IsFile)
        {
            File(source.Name, kind, limits);
            return;
        }
        if (source.Bytes is not { } bytes)
        {
            if (kind != MediaKind.Text)
                throw new InputException(source.Name, "", $"a {kind.ToString().ToLowerInvariant()} file", "text");
            if (source.Text!.Length > limits.MaxTextBytes)
                throw new MediaLimitException(source.Name, "size", $"a text of at most {limits.MaxTextBytes} bytes", $"{source.Text.Length} characters");
            return;
        }
        switch (kind)
        {
            case MediaKind.Image:
                ImageDecoder.CheckBytes(bytes, source.Name, limits);
                break;
            case MediaKind.Audio:
                AudioDecoder.CheckBytes(bytes, source.Name, limits);
                break;
            case MediaKind.Video:
                VideoDecoder.CheckBytes(bytes, source.Name, limits);
                break;
            default:
                TextMedia.ReadBytes(bytes, source.Name, limits);
                break;
        }
    }
}
