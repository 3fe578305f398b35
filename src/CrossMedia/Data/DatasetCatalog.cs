namespace CrossMedia.Data;

/// <summary>
/// Finds datasets by name: an explicit registry of built-ins ("wikipedia", "synthetic"), otherwise
/// a JSON manifest path. Loading also carves a validation split when asked for
/// (<see cref="DatasetLoadOptions.ValFraction"/>) and validates the result (errors throw,
/// warnings are returned).
/// </summary>
public static class DatasetCatalog
{
    private sealed record BuiltIn(string Name, string Description, IReadOnlyList<DatasetParameter> Parameters,
        Func<string?, DatasetLoadOptions, (Dataset, ClassEmbeddingResult?)> Load);

    private static readonly BuiltIn[] BuiltIns =
    [
        new("wikipedia", "Wikipedia image–text pairs (2,173 train / 693 test, 10 classes) from <data-root>/wikipedia", [],
            (spec, o) => spec is null ? WikipediaDataset.Load(o.ResolveDataRoot(), o.WordVectors)
                : throw new InputException("wikipedia", "parameters", "none", $"'{spec}'")),
        new("synthetic", "generated benchmark with learnable class embeddings", SyntheticDatasetOptions.Parameters,
            (spec, o) => (SyntheticDataset.Create(spec is null ? o.Synthetic : o.Synthetic.With(spec), o.Seed), null)),
        new("synthetic-media", "generated raw media files (PNG, WAV, TXT, MP4; 5 classes) in a cache folder (the data root or ~/.cache/crossmedia)",
            Builtin.SyntheticMediaOptions.Parameters, (spec, o) => (Builtin.SyntheticMediaDataset.Build(o.DataRoot, new Builtin.SyntheticMediaOptions { Seed = o.Seed }.With(spec ?? "")), null)),
        new("tuxpaint", "TuxPaint clip-art stamps (image, text, audio; video-derived pan/zoom made into the cache) labelled by top category",
            Builtin.TuxPaintOptions.Parameters, (spec, o) => (Builtin.TuxPaintDataset.Build(new Builtin.TuxPaintOptions { Seed = o.Seed, CacheRoot = o.DataRoot }.With(spec ?? "")), null)),
    ];

    /// <summary>Names of the built-in datasets.</summary>
    public static IReadOnlyList<string> Names { get; } = BuiltIns.Select(b => b.Name).ToArray();

    /// <summary>One entry per built-in: name, description and the parameters it takes after a colon ("synthetic:classes=20").</summary>
    public static IReadOnlyList<(string Name, string Description, IReadOnlyList<DatasetParameter> Parameters)> Describe() =>
        BuiltIns.Select(b => (b.Name, b.Description, b.Parameters)).ToArray();

    /// <summary>
    /// The built-ins and their parameters with defaults, one line each ("synthetic:classes=10,noise=0.5,..."), for help texts.
    /// A parameter given as "--seed" follows the load seed.
    /// </summary>
    public static string ParameterSummary() => string.Join("\n", BuiltIns.Select(b => b.Parameters.Count == 0
        ? $"{b.Name} (no parameters)"
        : $"{b.Name}:{string.Join(",", b.Parameters.Select(p => $"{p.Key}={p.Default}"))}"));

    public static Dataset Load(string nameOrManifestPath, DatasetLoadOptions options) => LoadDetailed(nameOrManifestPath, options).Dataset;

    /// <summary>
    /// Loads a dataset with what loading found. Validation errors throw unless
    /// <paramref name="throwOnErrors"/> is false (for `data inspect`, which shows them); unreadable
    /// or inconsistent files always throw.
    /// </summary>
    public static DatasetLoadResult LoadDetailed(string nameOrManifestPath, DatasetLoadOptions options, bool throwOnErrors = true)
    {
        DatasetLoadResult loaded;
        var (name, spec) = SplitName(nameOrManifestPath);
        var builtIn = BuiltIns.FirstOrDefault(b => b.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (builtIn is not null)
        {
            var (dataset, embeddings) = builtIn.Load(spec, options);
            loaded = new DatasetLoadResult(dataset, builtIn.Name, embeddings?.Source ?? (dataset.ClassEmbeddings is null ? null : "generated"),
                embeddings?.MissingWords ?? [], new DatasetProblems(dataset.Name, []));
        }
        else if (nameOrManifestPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(nameOrManifestPath))
        {
            loaded = DatasetManifest.Load(nameOrManifestPath, options);
        }
        else
        {
            throw new InputException("dataset", "", $"a built-in dataset ({string.Join(", ", Names)}) or a manifest .json file", $"'{nameOrManifestPath}'");
        }

        if (options.Media is { } media)
        {
            var selected = SelectMedia(loaded.Dataset, media);
            loaded = loaded with
            {
                Dataset = selected,
                UnselectedMedia = loaded.Dataset.Media.Select(m => m.Name).Where(n => !selected.Has(n)).ToArray(),
            };
        }
        if (options.ClassEncoder is { } encoder)
        {
            var encoded = ClassEncoders.Embed(encoder, loaded.Dataset.ClassNames, "class-encoder", "");
            loaded = loaded with { Dataset = loaded.Dataset.WithClassEmbeddings(encoded.Embeddings), ClassEmbeddingSource = encoded.Source, MissingWords = [] };
        }
        var carved = ValidationSplit.Carve(loaded.Dataset, options.ValFraction, options.Seed);
        var problems = DatasetValidator.Check(carved);
        if (throwOnErrors) problems.ThrowIfErrors();
        var notes = problems.ToList();
        if (loaded.MissingWords.Count > 0)
            notes.Add(new DatasetProblem(ProblemSeverity.Warning, ProblemKind.MissingWords, "class_embeddings",
                $"expected a vector for every class-name word, found none for {string.Join(", ", loaded.MissingWords)}"));
        return loaded with { Dataset = carved, Problems = new DatasetProblems(problems.Source, notes) };
    }

    /// <summary>
    /// The dataset with only the named media (--media), in the order given. Media that name their items
    /// (ids other than row numbers) with the same ids, labels and splits in the same order hold the same
    /// objects, so the selection is paired even when the whole dataset is not (TuxPaint's picture and
    /// description of every stamp, without its few sound clips).
    /// </summary>
    public static Dataset SelectMedia(Dataset dataset, IReadOnlyList<string> media)
    {
        var known = string.Join(", ", dataset.Media.Select(m => m.Name));
        if (media.Count == 0) throw new InputException("media", "", $"one or more of {known}", "nothing");
        var chosen = new List<Medium>();
        foreach (var name in media)
        {
            var medium = dataset.Media.FirstOrDefault(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                ?? throw new InputException("media", "", $"media of {dataset.Name}: {known}", InputException.Excerpt(name));
            if (chosen.Contains(medium)) throw new InputException("media", "", "each medium once", $"'{medium.Name}' twice");
            chosen.Add(medium);
        }
        var selected = dataset.With(chosen);
        return !dataset.Paired && chosen.Count > 1 && SameNamedItems(chosen) ? selected.WithPaired(true) : selected;
    }

    private static bool SameNamedItems(IReadOnlyList<Medium> media)
    {
        var first = media[0];
        bool named = first.Ids.Where((id, i) => id != i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Any();
        return named && media.Skip(1).All(m =>
            m.Ids.SequenceEqual(first.Ids) && m.Labels.SequenceEqual(first.Labels) && m.Splits.SequenceEqual(first.Splits));
    }

    private static (string Name, string? Spec) SplitName(string text)
    {
        int colon = text.IndexOf(':');
        if (colon > 0 && !File.Exists(text))
        {
            var head = text[..colon];
            if (BuiltIns.Any(b => b.Name.Equals(head, StringComparison.OrdinalIgnoreCase))) return (head, text[(colon + 1)..]);
        }
        return (text, null);
    }
}
