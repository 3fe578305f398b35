namespace CrossMedia.Models.Jfse;

/// <summary>
/// Sizes of the JFSE networks: one generator, critic and regressor per medium. The spec's modality "v" is
/// the first medium (e.g. image), "t" the second (e.g. text); further media follow.
/// </summary>
/// <param name="MediumDimensions">Input feature dimension of each medium (d_v, d_t, ...); at least two.</param>
/// <param name="ClassDimension">Class-embedding dimension d_c; also the common space's dimension.</param>
/// <param name="Hidden">Hidden width h of every generator, critic and regressor (4096 in the paper).</param>
/// <param name="NoiseDimension">Generator noise dimension d_z (300 in the paper).</param>
public sealed record JfseArchitecture(IReadOnlyList<int> MediumDimensions, int ClassDimension, int Hidden = 4096, int NoiseDimension = 300)
{
    /// <summary>Number of media (the modality classifier's classes).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int MediaCount => MediumDimensions.Count;
    /// <summary>The modality classifier's first hidden width, d_c/2 (at least 1).</summary>
    public int ClassifierHidden1 => Math.Max(1, ClassDimension / 2);
    /// <summary>The modality classifier's second hidden width, d_c/4 (at least 1).</summary>
    public int ClassifierHidden2 => Math.Max(1, ClassDimension / 4);

    /// <summary>
    /// The suffix of medium <paramref name="index"/>'s networks and files: the spec's v and t for the first
    /// two (the names of two-media models and checkpoints), the index from the third on (generator_2, ...).
    /// </summary>
    public static string Suffix(int index) => index switch { 0 => "v", 1 => "t", _ => index.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>A fresh regressor R_m for medium <paramref name="index"/>.</summary>
    internal Regressor NewRegressor(int index) => new(MediumDimensions[index], Hidden, ClassDimension, $"regressor_{Suffix(index)}");
}
