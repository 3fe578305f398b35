namespace CrossMedia.Models.Losses;

/// <summary>How JFSE aligns the image and text embedding distributions.</summary>
public enum AlignmentScheme
{
    /// <summary>Cross-modal projection matching (label-aware; the default).</summary>
    Cmpm,
    /// <summary>Multi-kernel Gaussian maximum mean discrepancy.</summary>
    Cmmd,
    /// <summary>Correlation alignment (CORAL).</summary>
    Cmca,
}
