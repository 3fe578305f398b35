using CrossMedia.Core;

namespace CrossMedia.Index;

/// <summary>
/// Settings of an index's approximate (HNSW) search: <paramref name="Connectivity"/> links per node (M),
/// <paramref name="ExpansionAdd"/> candidates while inserting (efConstruction), <paramref name="ExpansionSearch"/>
/// candidates while searching (ef: higher is more exact and slower; may change without a rebuild), and the
/// <paramref name="Quantization"/> of the graph's copy of the vectors: f32, or f16 / bf16 / i8 for a graph of half or a
/// quarter of the vector bytes. Every hit is scored again with the index's exact vectors, so scores stay exact and a
/// quantized graph only risks missing a neighbour (it fetches twice the candidates to make up for it). i8 holds values
/// in [-1, 1] only: cosine indexes (unit-length vectors) alone take it.
/// </summary>
public sealed record AnnSettings(int Connectivity = 16, int ExpansionAdd = 128, int ExpansionSearch = 64, string Quantization = "f32")
{
    /// <summary>The only kind of approximate search so far.</summary>
    public const string Hnsw = "hnsw";

    /// <summary>The vector types a graph may hold, smallest last.</summary>
    public static readonly IReadOnlyList<string> Quantizations = ["f32", "f16", "bf16", "i8"];

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

    /// <summary>As <see cref="Validate"/>, and refuses i8 for an index whose vectors are not unit length.</summary>
    public void Validate(Metric metric)
    {
        Validate();
        if (Quantization == "i8" && metric != Metric.Cosine)
            throw new InputException("quantization", "", $"f32, f16 or bf16 for a {metric.Name()} index (i8 holds values in [-1, 1]: cosine indexes only)", "i8");
    }

    private static void Check(string name, int value, int min, int max)
    {
        if (value < min || value > max) throw new InputException(name, "", $"{min}..{max}", value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
