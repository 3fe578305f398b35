using System.Collections.Concurrent;
using CrossMedia.Media;

namespace CrossMedia.Encoders;

/// <summary>
/// Query-time features for a model trained on encoder features: free text or a media file goes
/// through the same pretrained encoder that made the medium's training features (named in the
/// model, see <see cref="EncoderNames"/>), giving one feature row for the model's branch of that
/// medium. Encoders are built once per process on first use and shared; each serialises its own
/// calls, so callers on several threads are safe.
/// </summary>
public static class QueryFeatures
{
    private static readonly ConcurrentDictionary<string, Lazy<IEncoder<string>>> TextEncoders = new();

    /// <summary>The feature row of free text, by the text encoder <paramref name="encoder"/>.</summary>
    public static float[] OfText(string encoder, string text) => TextEncoder(encoder).Encode([text]).Data;

    /// <summary>The feature row of a media file of <paramref name="kind"/>, by <paramref name="encoder"/>; a text file is read
    /// as the decoder reads it (within <paramref name="limits"/>).</summary>
    public static float[] OfFile(string encoder, MediaKind kind, string path, MediaLimits limits) => kind == MediaKind.Text
        ? OfText(encoder, TextMedia.Read(path, limits))
        : throw new InputException("query", "file",
            $"a text query or text file ({kind.ToString().ToLowerInvariant()} file search needs the {encoder} encoder, not yet available for queries)",
            $"a {kind.ToString().ToLowerInvariant()} file");

    /// <summary>The one place query encoders are made (by name), cached for the process.</summary>
    private static IEncoder<string> TextEncoder(string name) => TextEncoders.GetOrAdd(name, n => new Lazy<IEncoder<string>>(() => n switch
    {
        // One thread: a query is one sentence, and the search beside it wants the cores.
        EncoderNames.MiniLm => new MiniLmTextEncoder(threads: 1),
        _ => throw new InputException("query", "text", $"a model whose text features came from a text encoder ({EncoderNames.MiniLm})", $"encoder '{n}'"),
    })).Value;
}
