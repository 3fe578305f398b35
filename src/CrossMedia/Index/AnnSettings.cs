namespace CrossMedia.Index;

/// <summary>
/// Settings of an index's approximate (HNSW) search: <paramref name="Connectivity"/> links per node (M),
/// <paramref name="ExpansionAdd"/> candidates while inserting (efConstruction), <paramref name="ExpansionSearch"/>
/// candidates while searching (ef: higher is more exact and slower; may change without a rebuild), and the
/// <paramref name="Quantization"/> of the graph's copy of the vectors: f32, or f16 / bf16 for half the vector bytes. Every
/// hit is scored again with the index's exact vectors, so scores stay exact and a quantized graph only risks missing a
/// neighbour (it fetches twice the candidates to make up for it). USearch's i8 is not offered: it maps [-1, 1] to 255
/// levels, and the components of unit-length 384-d embeddings (≈ ±0.05) kept recall@10 at .53 (bench/hnsw/real.sh).
/// </summary>
public sealed record AnnSettings(int Connectivity = 16, int ExpansionAdd = 128, int ExpansionSearch = 64, string Quantization = "f32")
{
    /// <summary>The only kind of approximate search so far.</summary>
    public const string Hnsw = "hnsw";

    /// <summary>The vector types a graph may hold.</summary>
    public static readonly IReadOnlyList<string> Quantizations = ["f32", "f16", "bf16"];

    /// <summary>Whether the graph holds its vectors in fewer bits than the index (hits then need more candidates).</summary>
    public bool Quantized => Quantization != "f32";

    /// <summary>Refuses settings out of range, naming the setting.</summary>
    public void Validate()
    {
        Check("connectivity", Connectivity, 2, 256);
        Check("expansion_add", ExpansionAdd, 1, 10_000);
        Check("expansion_search", ExpansionSearch, 1, 10_000);
        if (!Quantizations.Contains(Quantization))
            throw new InputException("quantization", "", string.Join(", ", Quantizations), InputException.Excerpt(Quantization ?? "nothing"));
    }

    private static void Check(string name, int value, int min, int max)
    {
        if (value < min || value > max) throw new InputException(name, "", $"{min}..{max}", value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
