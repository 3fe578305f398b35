namespace CrossMedia.Media;

/// <summary>The four kinds of raw media CrossMedia decodes.</summary>
public enum MediaKind
{
    Image,
    Text,
    Audio,
    Video,
}
