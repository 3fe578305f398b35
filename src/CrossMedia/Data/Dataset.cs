using CrossMedia.Core;

namespace CrossMedia.Data;

/// <summary>
/// A cross-media dataset: named media, class names and optional class embeddings (one row per
/// class, e.g. word vectors of the class names). When <see cref="Paired"/> is true, item i of
/// every medium is one multi-media object (as in Wikipedia's image–text pairs), so splits and
/// subsets keep rows aligned across media.
/// </summary>
public sealed class Dataset
{
    public string Name { get; }
    public IReadOnlyList<Medium> Media { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public Matrix? ClassEmbeddings { get; }
    public bool Paired { get; }
    /// <summary>Source files and their SHA-256 checksums, recorded with every result.</summary>
    public IReadOnlyDictionary<string, string> Checksums { get; }

    public Dataset(string name, IReadOnlyList<Medium> media, IReadOnlyList<string> classNames,
        Matrix? classEmbeddings = null, bool paired = false, IReadOnlyDictionary<string, string>? checksums = null)
    {
        if (media.Count == 0) throw new InputException(name, "media", "at least one medium", "none");
        var dup = media.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new InputException(name, "media", "distinct medium names", $"'{dup.Key}' twice");
        if (classEmbeddings is not null && classEmbeddings.Rows != classNames.Count)
            throw new InputException(name, "class_embeddings", $"{classNames.Count} rows (one per class)", $"{classEmbeddings.Rows}");
        if (paired && media.Any(m => m.Count != media[0].Count))
            throw new InputException(name, "media", "equal item counts in every medium of a paired dataset",
                string.Join(", ", media.Select(m => $"{m.Name}={m.Count}")));
        foreach (var m in media)
        {
            var bad = Array.FindIndex(m.Labels, l => l < 0 || l >= classNames.Count);
            if (bad >= 0)
                throw new InputException(name, $"{m.Name} label of item {bad}", $"a class index in 0..{classNames.Count - 1}", m.Labels[bad].ToString());
        }
        Name = name;
        Media = media;
        ClassNames = classNames;
        ClassEmbeddings = classEmbeddings;
        Paired = paired;
        Checksums = checksums ?? new Dictionary<string, string>();
    }

    public int ClassCount => ClassNames.Count;

    public Medium this[string medium] => Media.FirstOrDefault(m => m.Name == medium)
        ?? throw new InputException(Name, "medium", $"one of {string.Join(", ", Media.Select(m => m.Name))}", $"'{medium}'");

    public bool Has(string medium) => Media.Any(m => m.Name == medium);

    /// <summary>The dataset restricted to one split in every medium.</summary>
    public Dataset Select(Split split) => With(Media.Select(m => m.Select(split)).ToArray());

    /// <summary>The dataset restricted to items whose label is in <paramref name="classes"/>.</summary>
    public Dataset SelectClasses(IReadOnlySet<int> classes) =>
        With(Media.Select(m => m.Select(Enumerable.Range(0, m.Count).Where(i => classes.Contains(m.Labels[i])).ToArray())).ToArray());

    /// <summary>The same classes and metadata with other media.</summary>
    public Dataset With(IReadOnlyList<Medium> media) => new(Name, media, ClassNames, ClassEmbeddings, Paired, Checksums);

    public Dataset WithPaired(bool paired) => new(Name, Media, ClassNames, ClassEmbeddings, paired, Checksums);

    public Dataset WithClassEmbeddings(Matrix embeddings) => new(Name, Media, ClassNames, embeddings, Paired, Checksums);
}
