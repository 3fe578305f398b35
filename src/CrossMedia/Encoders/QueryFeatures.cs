using System.Collections.Concurrent;
using CrossMedia.Media;

namespace CrossMedia.Encoders;

/// <summary>
/// Query-time features for a model trained on encoder features: free text or a media file goes
/// through the same pretrained encoder that made the medium's training features (named in the
/// model; built by <see cref="EncoderCatalog"/> with its default settings, as `crossmedia features`
/// uses them), giving one feature row for the model's branch of that medium. Encoders are built
/// once per process on first use and shared; each serialises its own calls, so callers on several
/// threads are safe.
/// </summary>
public static class QueryFeatures
{
    private static readonly ConcurrentDictionary<(MediaKind, string), Lazy<MediumEncoder>> Encoders = new();

    /// <summary>The feature row of free text, by the text encoder <paramref name="encoder"/>.</summary>
    public static float[] OfText(string encoder, string text) => EncoderFor(MediaKind.Text, encoder).EncodeText(text);

    /// <summary>The feature row of a media item (file or bytes) of <paramref name="kind"/>, by <paramref name="encoder"/>, within
    /// <paramref name="limits"/> (a text file is read as the decoder reads it).</summary>
    public static float[] OfSource(string encoder, MediaKind kind, MediaSource source, MediaLimits limits) =>
        EncoderFor(kind, encoder, limits).Encode(source);

    /// <summary>The one place query encoders are made, cached for the process (per kind and name; the limits of
    /// the first caller, which in a process are the service's or the command's one setting).</summary>
    private static MediumEncoder EncoderFor(MediaKind kind, string name, MediaLimits? limits = null) =>
        Encoders.GetOrAdd((kind, name), key => new Lazy<MediumEncoder>(() => EncoderCatalog.Create(key.Item1, key.Item2, new EncoderOptions
        {
            // A query is one item, and the search beside it wants the cores: one ONNX Runtime thread for MiniLM;
            // libtorch's process-wide count (ResNet-18) is left as the program set it.
            Threads = kind == MediaKind.Text ? 1 : 0,
            BatchSize = 1,
            Workers = 1,
            Limits = limits ?? MediaLimits.Default,
        }, "query"))).Value;
}
