using CrossMedia.Encoders;

namespace CrossMedia.Data;

/// <summary>
/// Sentence encoders that can turn class names into class embeddings, by name: the manifest's
/// <c>class_embeddings: {"encoder": "minilm"}</c> and <see cref="DatasetLoadOptions.ClassEncoder"/>
/// (the CLI's <c>--class-encoder</c>). GloVe word vectors stay the datasets' default.
/// </summary>
public static class ClassEncoders
{
    /// <summary>The encoder names accepted.</summary>
    public static IReadOnlyList<string> Names { get; } = ["minilm"];

    /// <summary>Class embeddings of <paramref name="classNames"/> from the encoder <paramref name="name"/>;
    /// an unknown name is an <see cref="InputException"/> naming <paramref name="source"/> and <paramref name="field"/>.</summary>
    public static ClassEmbeddingResult Embed(string name, IReadOnlyList<string> classNames, string source, string field)
    {
        using IEncoder<string> encoder = name.ToLowerInvariant() switch
        {
            "minilm" => new MiniLmTextEncoder(threads: 1),
            _ => throw new InputException(source, field, $"one of {string.Join(", ", Names)}", InputException.Excerpt(name)),
        };
        return ClassEmbeddings.FromSentences(classNames, encoder);
    }
}
