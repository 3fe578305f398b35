using System.CommandLine;
using CrossMedia.Index;

namespace CrossMedia.Cli;

/// <summary>`--ann hnsw [--connectivity --expansion-add --expansion-search]`: an index's approximate-search settings.</summary>
internal sealed class AnnOptions
{
    private static readonly AnnSettings Defaults = new();
    public readonly Option<string?> Ann = new("--ann")
    {
        Description = "Approximate search: 'hnsw' builds an HNSW graph (USearch) beside the vectors, which stay the source of truth " +
            "('search --exact' bypasses it); 'none' removes it.",
    };
    public readonly Option<int?> Connectivity = new("--connectivity") { Description = $"HNSW links per node (M; default {Defaults.Connectivity})." };
    public readonly Option<int?> ExpansionAdd = new("--expansion-add") { Description = $"HNSW candidates while inserting (efConstruction; default {Defaults.ExpansionAdd})." };
    public readonly Option<int?> ExpansionSearch = new("--expansion-search")
    {
        Description = $"HNSW candidates while searching (ef; default {Defaults.ExpansionSearch}): higher is closer to exact and slower.",
    };

    public readonly Option<string?> Quantization = new("--quantization")
    {
        Description = $"Vector type of the HNSW graph's copy of the vectors (default {Defaults.Quantization}): f16 or bf16 halve it (a third " +
            "less graph memory at 128-d, 40 % at 384-d); hits are scored again with the exact vectors, so scores stay exact.",
    };

    public AnnOptions()
    {
        Ann.AcceptOnlyFromAmong(AnnSettings.Hnsw, "none");
        Quantization.AcceptOnlyFromAmong([.. AnnSettings.Quantizations]);
    }

    /// <summary>The settings as the options name them (for output lines).</summary>
    public static string Describe(AnnSettings s) =>
        $"connectivity {s.Connectivity}, expansion-add {s.ExpansionAdd}, expansion-search {s.ExpansionSearch}, quantization {s.Quantization}";

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Ann, Connectivity, ExpansionAdd, ExpansionSearch, Quantization }) c.Options.Add(o);
    }

    /// <summary>What the options ask for: no change (null), approximate search off (<c>Off</c>), or these settings
    /// (missing ones from <paramref name="current"/>, else the defaults).</summary>
    public (bool Change, AnnSettings? Settings) Read(ParseResult parse, AnnSettings? current = null)
    {
        var kind = parse.GetValue(Ann);
        bool tuned = parse.GetValue(Connectivity) is not null || parse.GetValue(ExpansionAdd) is not null || parse.GetValue(ExpansionSearch) is not null
            || parse.GetValue(Quantization) is not null;
        if (kind == "none")
            return tuned ? throw new InputException("--ann", "", "no --connectivity/--expansion-*/--quantization with --ann none", "some") : (true, null);
        if (kind is null && !tuned) return (false, null);
        if (kind is null && current is null)
            throw new InputException("--ann", "", "--ann hnsw with --connectivity/--expansion-*/--quantization (the index has no approximate search)", "nothing");
        var b = current ?? Defaults;
        return (true, new AnnSettings(parse.GetValue(Connectivity) ?? b.Connectivity, parse.GetValue(ExpansionAdd) ?? b.ExpansionAdd,
            parse.GetValue(ExpansionSearch) ?? b.ExpansionSearch, parse.GetValue(Quantization) ?? b.Quantization));
    }
}
