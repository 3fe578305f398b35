using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CrossMedia.Core;
using CrossMedia.Data;

namespace CrossMedia.Evaluation;

/// <summary>One mAP figure of a run: which split, which class subset, which direction.</summary>
/// <param name="Split">Validation or test (JSON "val", "test").</param>
/// <param name="Subset">Which classes were ranked (JSON "all", "seen", "unseen", "gzsl").</param>
/// <param name="Query">Query medium.</param>
/// <param name="Gallery">Gallery medium, or <see cref="DirectionResult.AllMedia"/> for X→All (<see cref="ToAllMedia"/>).</param>
/// <param name="Map">Mean average precision over the full ranking.</param>
/// <param name="Queries">Number of queries.</param>
/// <param name="QueriesWithoutRelevant">Queries with no relevant gallery item (they score 0 and count).</param>
/// <param name="Chance">The expected mAP of a random ranking of the same gallery (<see cref="MapResult.Chance"/>; null when the record does not hold it).</param>
/// <param name="Degenerate">All scores tied or all queries alike (<see cref="MapResult.Degenerate"/>): the mAP is not a result.</param>
/// <param name="AtChance">The mAP is not clearly above <paramref name="Chance"/> (<see cref="MapResult.AtChance"/>); written only when true.</param>
public sealed record ResultRow(
    [property: JsonPropertyName("split"), JsonConverter(typeof(LowerCaseEnumConverter<Split>))] Split Split,
    [property: JsonPropertyName("subset")] Subset Subset,
    [property: JsonPropertyName("query")] string Query,
    [property: JsonPropertyName("gallery")] string Gallery,
    [property: JsonPropertyName("map")] double Map,
    [property: JsonPropertyName("queries")] int Queries = 0,
    [property: JsonPropertyName("queries_without_relevant")] int QueriesWithoutRelevant = 0,
    [property: JsonPropertyName("chance")] double? Chance = null,
    [property: JsonPropertyName("degenerate")] bool Degenerate = false,
    [property: JsonPropertyName("at_chance"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool AtChance = false)
{
    /// <summary>The note a table shows beside a degenerate row's mAP.</summary>
    public const string DegenerateNote = "degenerate: all scores tied";

    /// <summary>The note a table shows beside a mAP at chance (<see cref="AtChance"/>).</summary>
    public const string AtChanceNote = "at chance — model collapsed?";

    /// <summary>An X→All figure: the gallery is every medium together.</summary>
    [JsonIgnore] public bool ToAllMedia => Gallery == DirectionResult.AllMedia;

    /// <summary>The warning a table shows beside the mAP, or null for a figure that reads as a result.</summary>
    [JsonIgnore] public string? Note => NoteFor(Degenerate, AtChance);

    internal static string? NoteFor(bool degenerate, bool atChance) => degenerate ? DegenerateNote : atChance ? AtChanceNote : null;
}

/// <summary>
/// What every <c>train</c> writes to <c>metrics.json</c>: enough to reproduce the table
/// (method, data and their checksums, scenario, seed, full configuration, code version).
/// </summary>
public sealed class RunRecord
{
    [JsonPropertyName("method")] public required string Method { get; init; }
    [JsonPropertyName("dataset")] public required string Dataset { get; init; }
    [JsonPropertyName("scenario")] public required string Scenario { get; init; }
    [JsonPropertyName("seed")] public required int Seed { get; init; }
    [JsonPropertyName("config")] public required JsonObject Config { get; init; }
    [JsonPropertyName("data_checksums")] public required IReadOnlyDictionary<string, string> DataChecksums { get; init; }
    [JsonPropertyName("version")] public string Version { get; init; } = BuildInfo.Version;
    [JsonPropertyName("started_utc")] public DateTime StartedUtc { get; init; } = DateTime.UtcNow;
    [JsonPropertyName("seconds")] public double Seconds { get; set; }
    [JsonPropertyName("results")] public List<ResultRow> Results { get; init; } = [];
    /// <summary>Free-form extra facts (selected epoch, averages, test-selected figures labelled as such).</summary>
    [JsonPropertyName("notes")] public JsonObject Notes { get; init; } = [];

    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));

    public static RunRecord Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(path), JsonOptions)
                ?? throw new InputException(path, "", "a metrics.json object", "null");
        }
        catch (JsonException e)
        {
            throw new InputException(path, e.Path ?? "", "a valid metrics.json", e.Message, e);
        }
    }
}
