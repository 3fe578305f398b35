using CrossMedia.Core;
using CrossMedia.Data.Formats;

namespace CrossMedia.Data;

/// <summary>
/// Class embeddings from class names: each name is lower-cased and split into words at spaces,
/// underscores, hyphens, '&amp;', '/' and ','; the class vector is the mean of its words' vectors
/// (the usual zero-shot recipe, e.g. "living_room" → mean(living, room)). Words without a vector
/// are skipped and reported; a class with no known word is an error.
/// </summary>
public static class ClassEmbeddings
{
    private static readonly char[] Separators = [' ', '_', '-', '&', '/', ','];

    /// <summary>The words of a class name.</summary>
    public static string[] Words(string className) =>
        className.ToLowerInvariant().Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Reads only the needed words from a GloVe-format file and averages them per class.</summary>
    public static ClassEmbeddingResult FromWordVectors(IReadOnlyList<string> classNames, string wordVectorPath)
    {
        var vocabulary = classNames.SelectMany(Words).ToHashSet(StringComparer.Ordinal);
        return FromWordVectors(classNames, WordVectors.Read(wordVectorPath, vocabulary));
    }

    /// <summary>
    /// Class embeddings from a sentence encoder (<see cref="ClassEncoders"/>): each class name's words
    /// joined by spaces ("living_room" → "living room") as one sentence. Nothing is missing: a sentence
    /// encoder reads any word.
    /// </summary>
    public static ClassEmbeddingResult FromSentences(IReadOnlyList<string> classNames, Encoders.IEncoder<string> encoder)
    {
        var sentences = classNames.Select(n => string.Join(' ', Words(n))).ToArray();
        return new ClassEmbeddingResult(encoder.Encode(sentences), [], $"{encoder.Name} (class names)");
    }

    internal static ClassEmbeddingResult FromWordVectors(IReadOnlyList<string> classNames, WordVectors vectors)
    {
        var m = new Matrix(classNames.Count, vectors.Dimension);
        var missing = new List<string>();
        for (int c = 0; c < classNames.Count; c++)
        {
            var words = Words(classNames[c]);
            var row = m.Row(c);
            int found = 0;
            foreach (var w in words)
            {
                if (!vectors.TryGet(w, out var v))
                {
                    if (!missing.Contains(w)) missing.Add(w);
                    continue;
                }
                for (int j = 0; j < row.Length; j++) row[j] += v[j];
                found++;
            }
            if (found == 0)
                throw new InputException(vectors.Path, $"class '{classNames[c]}'",
                    "at least one word of the class name in the word vectors", words.Length == 0 ? "no words" : $"none of {string.Join(", ", words)}");
            for (int j = 0; j < row.Length; j++) row[j] /= found;
        }
        return new ClassEmbeddingResult(m, missing, vectors.Path);
    }
}
