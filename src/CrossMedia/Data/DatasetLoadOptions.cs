namespace CrossMedia.Data;

/// <summary>How <see cref="DatasetCatalog"/> loads a dataset.</summary>
public sealed record DatasetLoadOptions
{
    /// <summary>Folder holding the built-in datasets (wikipedia/, glove/); null: $CROSSMEDIA_DATA_ROOT or a shared/data folder above the working directory.</summary>
    public string? DataRoot { get; init; }
    /// <summary>Seed for the validation split (and the synthetic generator unless it has its own).</summary>
    public int Seed { get; init; }
    /// <summary>Fraction of each class's training items carved out as validation when the dataset has none; 0 keeps the split as given.</summary>
    public double ValFraction { get; init; } = 0.1;
    /// <summary>GloVe-format file for class embeddings, overriding the dataset's default.</summary>
    public string? WordVectors { get; init; }
    /// <summary>A sentence encoder (<see cref="ClassEncoders"/>, e.g. "minilm") for class embeddings from class names,
    /// replacing the dataset's own (GloVe word vectors or a file); null keeps them.</summary>
    public string? ClassEncoder { get; init; }
    /// <summary>Only these media, in this order (null: all the dataset's media); an unknown name is an error.</summary>
    public IReadOnlyList<string>? Media { get; init; }
    /// <summary>Parameters of the synthetic benchmark (further set by "synthetic:key=value,...").</summary>
    public SyntheticDatasetOptions Synthetic { get; init; } = new();

    /// <summary>The data root to use; throws naming --data-root when none is found.</summary>
    public string ResolveDataRoot()
    {
        if (DataRoot is not null)
        {
            if (!Directory.Exists(DataRoot)) throw new InputException("data-root", "", "an existing folder", $"'{DataRoot}'");
            return Path.GetFullPath(DataRoot);
        }
        var env = Environment.GetEnvironmentVariable("CROSSMEDIA_DATA_ROOT");
        if (!string.IsNullOrEmpty(env))
        {
            if (!Directory.Exists(env)) throw new InputException("CROSSMEDIA_DATA_ROOT", "", "an existing folder", $"'{env}'");
            return Path.GetFullPath(env);
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate)) return candidate;
            }
        throw new InputException("data-root", "", "a folder holding the datasets (e.g. ../shared/data)", "none given and no shared/data folder above the working directory");
    }
}
