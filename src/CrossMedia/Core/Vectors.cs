namespace CrossMedia.Core;

/// <summary>Norms of float vectors: one home for the unit-length scaling the index (cosine) and the encoders (their rows) apply.</summary>
internal static class Vectors
{
    /// <summary>Scales <paramref name="v"/> to unit length in place; a zero vector stays zero.</summary>
    public static void Normalise(Span<float> v)
    {
        float sq = SquaredNorm(v);
        if (!float.IsNormal(sq))
        {
            // |v|² overflowed (values near 1e20 and up) or underflowed: scale first, only the direction matters.
            float max = 0;
            foreach (var x in v) max = MathF.Max(max, MathF.Abs(x));
            if (max == 0) return;
            for (int i = 0; i < v.Length; i++) v[i] /= max;
            sq = SquaredNorm(v);
        }
        float n = MathF.Sqrt(sq);
        if (n > 0) for (int i = 0; i < v.Length; i++) v[i] /= n;
    }

    public static float SquaredNorm(ReadOnlySpan<float> v)
    {
        float s = 0;
        for (int i = 0; i < v.Length; i++) s += v[i] * v[i];
        return s;
    }

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
