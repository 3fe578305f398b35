using CrossMedia.Core;

namespace CrossMedia.Tests.Evaluation;

/// <summary>Random embeddings for the evaluation tests, some built so that many distances tie exactly.</summary>
internal static class TestData
{
    public static Matrix Gaussian(Random rng, int rows, int cols)
    {
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++)
            m.Data[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return m;
    }

    /// <summary>
    /// Rows drawn from a few prototypes (exact duplicates) with entries from <paramref name="values"/>.
    /// ±1 entries in 16 dimensions keep cosine exact in float and double (norm 4, dots are k/16), small
    /// integers keep Euclidean and inner product exact: ties in the reference are ties here too.
    /// </summary>
    public static Matrix Quantised(Random rng, int rows, int cols, int prototypes, float[] values)
    {
        var protos = new float[prototypes][];
        for (int p = 0; p < prototypes; p++)
            protos[p] = Enumerable.Range(0, cols).Select(_ => values[rng.Next(values.Length)]).ToArray();
        var m = new Matrix(rows, cols);
        for (int i = 0; i < rows; i++) protos[rng.Next(prototypes)].CopyTo(m.Row(i));
        return m;
    }

    public static int[] Labels(Random rng, int count, int classes) =>
        Enumerable.Range(0, count).Select(_ => rng.Next(classes)).ToArray();
}
