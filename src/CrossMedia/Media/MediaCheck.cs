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
}
