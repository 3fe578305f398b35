using CrossMedia.Core;
using CrossMedia.Evaluation;

namespace CrossMedia.Tests.Evaluation;

/// <summary>
/// Independent brute-force reference for the tests: full double-precision distance matrix, a stable
/// sort by (distance, index), and AP straight from its definition. Deliberately simple and slow.
/// </summary>
internal static class NaiveRetrieval
{
    public static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Metric metric)
    {
        double dot = 0, na = 0, nb = 0, sq = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
            sq += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        }
        return metric switch
        {
            Metric.Cosine => na == 0 || nb == 0 ? 1 : 1 - dot / (Math.Sqrt(na) * Math.Sqrt(nb)),
            Metric.L2 => Math.Sqrt(sq),
            _ => -dot,
        };
    }

    /// <summary>Gallery indices of query q in rank order (self removed when given).</summary>
    public static int[] Ranking(Matrix queries, int q, Matrix gallery, Metric metric, int self = -1)
    {
        var d = new double[gallery.Rows];
        for (int g = 0; g < gallery.Rows; g++) d[g] = Distance(queries.RowReadOnly(q), gallery.RowReadOnly(g), metric);
        return Enumerable.Range(0, gallery.Rows).Where(g => g != self).OrderBy(g => d[g]).ThenBy(g => g).ToArray();
    }

    public static double Map(Matrix queries, IReadOnlyList<int[]> querySets, Matrix gallery, IReadOnlyList<int[]> gallerySets,
        Metric metric, int topK = 0, int[]? self = null) =>
        AveragePrecisions(queries, querySets, gallery, gallerySets, metric, topK, self).DefaultIfEmpty(0).Average();

    public static double[] AveragePrecisions(Matrix queries, IReadOnlyList<int[]> querySets, Matrix gallery, IReadOnlyList<int[]> gallerySets,
        Metric metric, int topK = 0, int[]? self = null)
    {
        var result = new double[queries.Rows];
        for (int q = 0; q < queries.Rows; q++)
        {
            var order = Ranking(queries, q, gallery, metric, self?[q] ?? -1);
            int k = topK > 0 ? Math.Min(topK, order.Length) : order.Length;
            double sum = 0;
            int found = 0;
            for (int pos = 0; pos < k; pos++)
            {
                if (!querySets[q].Intersect(gallerySets[order[pos]]).Any()) continue;
                found++;
                sum += found / (double)(pos + 1);
            }
            result[q] = found == 0 ? 0 : sum / found;
        }
        return result;
    }

    public static int[][] Sets(int[] labels) => labels.Select(l => new[] { l }).ToArray();
}
