namespace CrossMedia.Data;

/// <summary>One parameter of a built-in dataset ("classes" in "synthetic:classes=20"): its key, default and meaning, for help and errors.</summary>
public sealed record DatasetParameter(string Key, string Default, string Meaning)
{
    /// <summary>The default of parameters that follow the load seed (<see cref="DatasetLoadOptions.Seed"/>, the CLI's --seed).</summary>
    public const string LoadSeed = "--seed";

    /// <summary>The keys, comma-separated, for "expected one of ..." messages.</summary>
    public static string Keys(IEnumerable<DatasetParameter> parameters) => string.Join(", ", parameters.Select(p => p.Key));
}
