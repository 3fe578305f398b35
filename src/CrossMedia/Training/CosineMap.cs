using CrossMedia.Core;

namespace CrossMedia.Training;

/// <summary>
/// Cosine-distance mAP over the full ranking, ties by gallery index — the quantity the trainer selects
/// epochs and post-processing on (the same definition as the evaluation module's, kept local so the
/// training loop does not depend on it).
/// </summary>
internal static class CosineMap
{
    public static double Compute(Matrix queries, int[] queryLabels, Matrix gallery, int[] galleryLabels)
    {
        if (queries.Rows == 0) return double.NaN;
        var qn = Normalise(queries);
        var gn = Normalise(gallery);
        var relevantTotal = new Dictionary<int, int>();
        foreach (var l in galleryLabels) relevantTotal[l] = relevantTotal.GetValueOrDefault(l) + 1;
        double sum = 0;
        var sims = new double[gallery.Rows];
        var order = new int[gallery.Rows];
        for (int q = 0; q < queries.Rows; q++)
        {
            var qr = qn.RowReadOnly(q);
            for (int g = 0; g < gallery.Rows; g++)
            {
                var gr = gn.RowReadOnly(g);
                double s = 0;
                for (int k = 0; k < qr.Length; k++) s += qr[k] * gr[k];
                sims[g] = s;
                order[g] = g;
            }
            Array.Sort(order, (a, b) => { int c = sims[b].CompareTo(sims[a]); return c != 0 ? c : a.CompareTo(b); });
            int relevant = relevantTotal.GetValueOrDefault(queryLabels[q]);
            if (relevant == 0) continue;
            int hits = 0;
            double ap = 0;
            for (int k = 0; k < order.Length && hits < relevant; k++)
                if (galleryLabels[order[k]] == queryLabels[q]) { hits++; ap += hits / (double)(k + 1); }
            sum += ap / relevant;
        }
        return sum / queries.Rows;
    }

    private static Matrix Normalise(Matrix m)
    {
        var r = new Matrix(m.Rows, m.Cols);
        for (int i = 0; i < m.Rows; i++)
        {
            var src = m.RowReadOnly(i);
            double n = 0;
            foreach (var v in src) n += v * v;
            var inv = n > 0 ? 1 / Math.Sqrt(n) : 0;
            var dst = r.Row(i);
            for (int j = 0; j < src.Length; j++) dst[j] = (float)(src[j] * inv);
        }
        return r;
    }
}
