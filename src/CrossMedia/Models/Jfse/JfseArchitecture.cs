namespace CrossMedia.Models.Jfse;

/// <summary>
/// Sizes of the JFSE networks. Modality "v" is the first medium (e.g. image), "t" the second (e.g. text).
/// </summary>
/// <param name="ImageDimension">Input feature dimension of the first medium (d_v).</param>
/// <param name="TextDimension">Input feature dimension of the second medium (d_t).</param>
/// <param name="ClassDimension">Class-embedding dimension d_c; also the common space's dimension.</param>
/// <param name="Hidden">Hidden width h of every generator, critic and regressor (4096 in the paper).</param>
/// <param name="NoiseDimension">Generator noise dimension d_z (300 in the paper).</param>
public sealed record JfseArchitecture(int ImageDimension, int TextDimension, int ClassDimension, int Hidden = 4096, int NoiseDimension = 300)
{
    /// <summary>The modality classifier's first hidden width, d_c/2 (at least 1).</summary>
    public int ClassifierHidden1 => Math.Max(1, ClassDimension / 2);
    /// <summary>The modality classifier's second hidden width, d_c/4 (at least 1).</summary>
    public int ClassifierHidden2 => Math.Max(1, ClassDimension / 4);
}
