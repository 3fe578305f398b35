using System.Globalization;

namespace CrossMedia.Data.Formats;

/// <summary>
/// Word vectors in the GloVe text format (<c>word v1 ... vd</c> per line; a word2vec-style first
/// line "count dim" is skipped). Read streaming, optionally keeping only a vocabulary, so a
/// multi-gigabyte file costs only the memory of the words needed.
/// </summary>
internal sealed class WordVectors
{
    private readonly Dictionary<string, float[]> _vectors;

    /// <summary>Vector length.</summary>
    public int Dimension { get; }
    /// <summary>The file read.</summary>
    public string Path { get; }
    /// <summary>Number of words kept.</summary>
    public int Count => _vectors.Count;

    private WordVectors(string path, int dimension, Dictionary<string, float[]> vectors)
    {
        Path = path;
        Dimension = dimension;
        _vectors = vectors;
    }

    public bool TryGet(string word, out float[] vector) => _vectors.TryGetValue(word, out vector!);

    /// <summary>
    /// Reads the file. With <paramref name="vocabulary"/> only those words are kept (every line is
    /// still checked for the dimension). Words are matched exactly (GloVe 6B is lower-case).
    /// </summary>
    public static WordVectors Read(string path, IReadOnlySet<string>? vocabulary = null)
    {
        DataFile.Require(path, "an existing word-vector file");
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        int dim = -1, lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Length == 0) continue;
            int space = line.IndexOf(' ');
            if (space <= 0) throw new InputException(path, $"line {lineNo}", "'word v1 ... vd'", InputException.Excerpt(line));
            var word = line[..space];
            var rest = line.AsSpan(space + 1).TrimEnd();
            int fields = rest.Count(' ') + 1;
            if (lineNo == 1 && fields == 1 && int.TryParse(word, out _)) continue; // "count dim" header
            if (dim < 0) dim = fields;
            else if (fields != dim)
                throw new InputException(path, $"line {lineNo} ({InputException.Excerpt(word)})", $"{dim} values", $"{fields}");
            if (vocabulary is not null && !vocabulary.Contains(word)) continue;
            var v = new float[dim];
            int j = 0;
            foreach (var range in rest.Split(' '))
            {
                var token = rest[range];
                if (!float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out v[j]))
                    throw new InputException(path, $"line {lineNo} ({InputException.Excerpt(word)}) value {j + 1}", "a number", InputException.Excerpt(token.ToString()));
                j++;
            }
            vectors.TryAdd(word, v);
        }
        if (dim < 0) throw new InputException(path, "", "word vectors", "an empty file");
        return new WordVectors(path, dim, vectors);
    }
}
