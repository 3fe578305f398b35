using System.CommandLine;
using CrossMedia.Data;

namespace CrossMedia.Cli;

/// <summary>
/// The dataset options every command that reads data shares: --dataset (a built-in name with its
/// parameters, or a manifest), --data-root, --val-fraction, --word-vectors, --class-encoder and --media.
/// The seed is not one of them: each command owns its --seed (<see cref="SharedOptions"/>) and passes it to
/// <see cref="Resolve"/>. Usage: <c>var data = new DatasetOptions(); data.AddTo(command); ... data.Resolve(parse, seed)</c>.
/// </summary>
internal sealed class DatasetOptions
{
    /// <summary>--dataset NAME[:PARAMETERS]|MANIFEST.</summary>
    public Option<string?> Dataset { get; }
    public Option<string?> DataRoot { get; } = new("--data-root")
    {
        Description = "Folder holding the built-in datasets (wikipedia/, glove/). Default: $CROSSMEDIA_DATA_ROOT or a shared/data folder above the working directory.",
    };
    public Option<double> ValFraction { get; } = new("--val-fraction")
    {
        Description = "Fraction of each class's training items held out for validation (model selection) when the dataset has no validation split; 0 keeps the split as given.",
        DefaultValueFactory = _ => 0.1,
    };
    public Option<string?> WordVectors { get; } = new("--word-vectors")
    {
        Description = "GloVe-format word-vector file for class embeddings computed from class names (overrides the dataset's default).",
    };

    public Option<string?> ClassEncoder { get; } = new("--class-encoder")
    {
        Description = "Sentence encoder for class embeddings from class names instead of the dataset's own: minilm (all-MiniLM-L6-v2, 384-d).",
    };

    public Option<string[]> Media { get; } = SharedOptions.CommaList("--media", "Only these media of the dataset, comma-separated (e.g. image,text). Default: all.");

    /// <param name="required">Whether the command needs --dataset (index build takes a folder or vectors instead).</param>
    public DatasetOptions(bool required = true, string? description = null) =>
        Dataset = new Option<string?>("--dataset") { Description = DatasetDescription(description), Required = required };

    /// <summary>The --dataset help: what a dataset is, then every built-in with its parameters and their defaults.</summary>
    private static string DatasetDescription(string? purpose) =>
        (purpose ?? "Dataset") + $": a built-in ({string.Join(", ", DatasetCatalog.Names)}) or a manifest .json file (docs/manifest.md). " +
        "Built-ins take parameters after a colon (synthetic:classes=20,noise=0.3); each with its default (seed=--seed: the command's --seed):\n" + DatasetCatalog.ParameterSummary();

    public void AddTo(Command command)
    {
        command.Options.Add(Dataset);
        command.Options.Add(DataRoot);
        command.Options.Add(ValFraction);
        command.Options.Add(WordVectors);
        command.Options.Add(ClassEncoder);
        command.Options.Add(Media);
    }

    /// <summary>The load options given on the command line.</summary>
    public DatasetLoadOptions LoadOptions(ParseResult parse, int seed) => new()
    {
        DataRoot = parse.GetValue(DataRoot),
        Seed = seed,
        ValFraction = parse.GetValue(ValFraction),
        WordVectors = parse.GetValue(WordVectors),
        ClassEncoder = parse.GetValue(ClassEncoder),
        Media = parse.GetResult(Media) is null ? null : parse.GetValue(Media),
    };

    /// <summary>Loads the dataset named by --dataset, with the problems found.</summary>
    public DatasetLoadResult ResolveDetailed(ParseResult parse, int seed, bool throwOnErrors = true)
    {
        var dataset = parse.GetValue(Dataset) ?? throw new InputException("--dataset", "", "a dataset name or manifest", "none");
        return DatasetCatalog.LoadDetailed(dataset, LoadOptions(parse, seed), throwOnErrors);
    }

    public Dataset Resolve(ParseResult parse, int seed) => ResolveDetailed(parse, seed).Dataset;
}
