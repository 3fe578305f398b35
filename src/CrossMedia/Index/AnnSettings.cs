namespace CrossMedia.Index;

/// <summary>
/// Settings of an index's approximate (HNSW) search: <paramref name="Connectivity"/> links per node (M),
/// <paramref name="ExpansionAdd"/> candidates while inserting (efConstruction), <paramref name="ExpansionSearch"/>
/// candidates while searching (ef: higher is more exact and slower; may change without a rebuild).
/// </summary>
public sealed record AnnSettings(int Connectivity = 16, int ExpansionAdd = 128, int ExpansionSearch = 64)
{
    /// <summary>The only kind of approximate search so far.</summary>
    public const string Hnsw = "hnsw";

    /// <summary>Refuses settings out of range, naming the setting.</summary>
    public void Validate()
    {
        Check("connectivity", Connectivity, 2, 256);
        Check("expansion_add", ExpansionAdd, 1, 10_000);
        Check("expansion_search", ExpansionSearch, 1, 10_000);
    }

    private static void Check(string name, int value, int min, int max)
    {
        if (value < min || value > max) throw new InputException(name, "", $"{min}..{max}", value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
