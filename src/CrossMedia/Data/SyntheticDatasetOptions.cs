using System.Globalization;

namespace CrossMedia.Data;

/// <summary>
/// Parameters of the built-in synthetic benchmark (see <see cref="SyntheticDataset"/>). On the
/// command line they follow the name: <c>synthetic:classes=20,dims=64+32,noise=0.3</c>.
/// </summary>
public sealed record SyntheticDatasetOptions
{
    /// <summary>Medium names, e.g. image and text.</summary>
    public IReadOnlyList<string> Media { get; init; } = ["image", "text"];
    /// <summary>Feature dimension per medium (same order as <see cref="Media"/>).</summary>
    public IReadOnlyList<int> Dimensions { get; init; } = [64, 32];
    /// <summary>Number of classes.</summary>
    public int Classes { get; init; } = 10;
    /// <summary>Dimension of the class embeddings (the "word vectors" of the classes).</summary>
    public int EmbeddingDimension { get; init; } = 16;
    /// <summary>Dimension of the latent class vectors behind everything.</summary>
    public int LatentDimension { get; init; } = 8;
    /// <summary>Hidden width of each medium's random 2-layer generator network.</summary>
    public int HiddenDimension { get; init; } = 64;
    /// <summary>Training items per class (and medium); validation items are carved from these.</summary>
    public int TrainPerClass { get; init; } = 60;
    /// <summary>Test items per class (and medium).</summary>
    public int TestPerClass { get; init; } = 60;
    /// <summary>Standard deviation of the per-item latent noise (class vectors have unit variance per dimension).</summary>
    public double Noise { get; init; } = 0.5;
    /// <summary>Standard deviation of the noise added to the class embeddings.</summary>
    public double EmbeddingNoise { get; init; } = 0.05;
    /// <summary>
    /// Paired data only: the share of an item's latent noise variance common to its paired items (1 = the
    /// media observe one latent; 0 = paired items share only their class, each medium has its own noise).
    /// </summary>
    public double SharedNoise { get; init; } = 1;
    /// <summary>
    /// Per medium, a factor on each item's latent noise (its distance from the class centre) as that medium
    /// observes it; null = 1 for every medium. E.g. 1, 1, 0.25: a third medium that sees each item with a
    /// quarter of the noise, a view that should help any method able to use it.
    /// </summary>
    public IReadOnlyList<double>? ViewNoise { get; init; }
    /// <summary>1: an item of class c centres on u_c; 2: on +u_c or −u_c at random (two opposite forms per class).</summary>
    public int Forms { get; init; } = 1;
    /// <summary>Item i of every medium shares one latent (true) or media are drawn independently.</summary>
    public bool Paired { get; init; } = true;
    /// <summary>Generator seed; null uses the load seed.</summary>
    public int? Seed { get; init; }

    /// <summary>The parameters <see cref="With"/> reads, with their defaults.</summary>
    public static IReadOnlyList<DatasetParameter> Parameters { get; } = Describe(new SyntheticDatasetOptions());

    private static DatasetParameter[] Describe(SyntheticDatasetOptions d) =>
    [
        new("media", string.Join("+", d.Media), "medium names, '+'-separated"),
        new("dims", string.Join("+", d.Dimensions), "feature dimension per medium"),
        new("classes", Text(d.Classes), "number of classes"),
        new("embedding", Text(d.EmbeddingDimension), "class-embedding dimension"),
        new("latent", Text(d.LatentDimension), "latent dimension"),
        new("hidden", Text(d.HiddenDimension), "hidden width of each medium's generator network"),
        new("train", Text(d.TrainPerClass), "training items per class (validation is carved from them)"),
        new("test", Text(d.TestPerClass), "test items per class"),
        new("noise", Text(d.Noise), "per-item latent noise (class latents have unit variance)"),
        new("embedding_noise", Text(d.EmbeddingNoise), "noise on the class embeddings"),
        new("view_noise", "1 for each", "per medium, a factor on each item's noise as that medium sees it (1+1+0.25: a third, cleaner view)"),
        new("shared_noise", Text(d.SharedNoise), "share of an item's noise common to its paired items (0: each medium its own)"),
        new("forms", Text(d.Forms), "1, or 2 for two opposite forms per class (not linearly separable)"),
        new("paired", d.Paired ? "true" : "false", "share item latents across media"),
        new("seed", DatasetParameter.LoadSeed, "generator seed"),
    ];

    private static string Text(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Applies "key=value" pairs separated by commas, e.g. "classes=20,media=image+text+audio,dims=64+32+16".</summary>
    public SyntheticDatasetOptions With(string spec, string source = "synthetic")
    {
        var o = this;
        foreach (var setting in DatasetSpec.Parse(spec, source))
        {
            o = setting.Key switch
            {
                "media" => o with { Media = setting.List() },
                "dims" or "dimensions" => o with { Dimensions = setting.List().Select(v => (setting with { Value = v }).Int(1)).ToArray() },
                "classes" => o with { Classes = setting.Int(1) },
                "embedding" => o with { EmbeddingDimension = setting.Int(1) },
                "latent" => o with { LatentDimension = setting.Int(1) },
                "hidden" => o with { HiddenDimension = setting.Int(1) },
                "train" => o with { TrainPerClass = setting.Int(0) },
                "test" => o with { TestPerClass = setting.Int(0) },
                "noise" => o with { Noise = setting.Real(0) },
                "embedding_noise" => o with { EmbeddingNoise = setting.Real(0) },
                "paired" => o with { Paired = setting.Bool() },
                "shared_noise" => o with { SharedNoise = setting.Real(0) },
                "view_noise" => o with { ViewNoise = setting.List().Select(v => (setting with { Value = v }).Real(0)).ToArray() },
                "forms" => o with { Forms = setting.Int(1) },
                "seed" => o with { Seed = setting.Int() },
                _ => throw setting.Unknown(DatasetParameter.Keys(Parameters)),
            };
        }
        return o;
    }

    /// <summary>Checks the parameters; throws naming the first bad one.</summary>
    public void Validate(string source = "synthetic")
    {
        if (Media.Count == 0) throw new InputException(source, "media", "at least one medium", "none");
        if (Dimensions.Count != Media.Count) throw new InputException(source, "dims", $"{Media.Count} dimensions (one per medium)", $"{Dimensions.Count}");
        if (Dimensions.Any(d => d < 1)) throw new InputException(source, "dims", "positive dimensions", string.Join("+", Dimensions));
        if (Classes < 1 || EmbeddingDimension < 1 || LatentDimension < 1 || HiddenDimension < 1)
            throw new InputException(source, "classes/embedding/latent/hidden", "positive sizes", $"{Classes}/{EmbeddingDimension}/{LatentDimension}/{HiddenDimension}");
        if (TrainPerClass < 0 || TestPerClass < 0 || TrainPerClass + TestPerClass == 0)
            throw new InputException(source, "train/test", "non-negative item counts, not both 0", $"{TrainPerClass}/{TestPerClass}");
        if (!(Noise >= 0) || !(EmbeddingNoise >= 0)) throw new InputException(source, "noise", "non-negative noise", $"{Noise}/{EmbeddingNoise}");
        if (!(SharedNoise >= 0 && SharedNoise <= 1)) throw new InputException(source, "shared_noise", "a share between 0 and 1", SharedNoise.ToString(CultureInfo.InvariantCulture));
        if (ViewNoise is { } v && (v.Count != Media.Count || v.Any(f => !(f >= 0))))
            throw new InputException(source, "view_noise", $"{Media.Count} non-negative factors (one per medium)", string.Join("+", v.Select(f => f.ToString(CultureInfo.InvariantCulture))));
        if (Forms is not (1 or 2)) throw new InputException(source, "forms", "1 or 2", Forms.ToString(CultureInfo.InvariantCulture));
        long total = (long)Classes * (TrainPerClass + TestPerClass) * Dimensions.Max();
        if (total > 1L << 28) throw new InputException(source, "size", "at most 2^28 feature values per medium", total.ToString(CultureInfo.InvariantCulture));
    }

}
