namespace CrossMedia.Encoders;

/// <summary>The L2 normalisation every encoder applies to its rows.</summary>
public static class UnitRows
{
    /// <summary>Scales <paramref name="row"/> to unit length (a zero row stays zero).</summary>
    public static void Normalize(Span<float> row)
    {
        double norm = 0;
        foreach (var v in row) norm += (double)v * v;
        float scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0f;
        for (int d = 0; d < row.Length; d++) row[d] *= scale;
    }
}
