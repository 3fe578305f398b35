using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrossMedia.Evaluation;

/// <summary>
/// Which classes a figure ranks: <see cref="All"/> (standard scenario, and validation of a standard run),
/// <see cref="Seen"/> and <see cref="Unseen"/> (zero-shot: query and gallery both restricted to those
/// classes; validation of a zero-shot run is "seen"), <see cref="Gzsl"/> (seen and unseen in one ranking).
/// </summary>
[JsonConverter(typeof(LowerCaseEnumConverter<Subset>))]
public enum Subset
{
    All,
    Seen,
    Unseen,
    Gzsl,
}

public static class SubsetNames
{
    /// <summary>The name metrics.json and the tables use: "all", "seen", "unseen", "gzsl".</summary>
    public static string Name(this Subset subset) => subset switch
    {
        Subset.All => "all",
        Subset.Seen => "seen",
        Subset.Unseen => "unseen",
        _ => "gzsl",
    };

    /// <summary>The subset a scenario's headline test figure is taken on (zero-shot: the unseen classes).</summary>
    public static Subset Headline(Scenario scenario) => scenario switch
    {
        Scenario.Zsl => Subset.Unseen,
        Scenario.Gzsl => Subset.Gzsl,
        _ => Subset.All,
    };
}

/// <summary>An enum as its lower-case name in JSON ("test", "unseen"), never as a number: metrics.json's spelling.</summary>
internal sealed class LowerCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where T : struct, Enum;
