using System.CommandLine;
using System.CommandLine.Parsing;
using CrossMedia.Evaluation;

namespace CrossMedia.Cli;

/// <summary>
/// Options several commands share, made in one place so every command has the same name, default
/// and list syntax (README "Shared options" lists them; <c>SharedOptionsReadmeTests</c> compares that
/// table with every command's definitions).
/// </summary>
internal static class SharedOptions
{
    /// <summary>The one default seed of every command.</summary>
    public const int DefaultSeed = 1;

    /// <summary>--seed, default <see cref="DefaultSeed"/>.</summary>
    public static Option<int> Seed(string description) => new("--seed") { Description = description, DefaultValueFactory = _ => DefaultSeed };

    /// <summary>--seed of a command that reads a dataset with a trained model (embed, index build).</summary>
    public static Option<int> ModelSeed() => Seed(
        "Seed of the dataset (synthetic and synthetic-media generate other items with another seed) and of its validation hold-out. " +
        $"Default: the seed of the model's training run (its metrics.json), else {DefaultSeed}.");

    /// <summary>
    /// The seed to load a dataset with for <paramref name="modelDir"/>: the one given on the command line,
    /// otherwise the training run's (metrics.json beside the model), so a generated dataset is the one the model saw.
    /// </summary>
    public static int SeedFor(ParseResult parse, Option<int> seed, string? modelDir)
    {
        if (parse.GetResult(seed) is { Implicit: false } || modelDir is null) return parse.GetValue(seed);
        var metrics = Path.Combine(modelDir, "metrics.json");
        return File.Exists(metrics) ? RunRecord.Load(metrics).Seed : parse.GetValue(seed);
    }

    /// <summary>
    /// A list option: comma-separated values (<c>--medium image,text</c>), the one list syntax of the CLI
    /// (file paths, which may hold commas, are the exception: one per option or several after it).
    /// </summary>
    public static Option<string[]> CommaList(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray(),
    };
}
