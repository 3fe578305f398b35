using System.Diagnostics;
using CrossMedia.Core;
using CrossMedia.Data.Formats;
using CrossMedia.Index;

namespace CrossMedia.Bench;

/// <summary>
/// Exact-search benchmark: a Gaussian gallery (memory-mapped index file) searched with top-k inner
/// product, compared with FAISS IndexFlatIP's ids (written by faiss_flat.py) and with a
/// double-precision brute force on a sample of queries.
/// </summary>
internal static class SearchBench
{
    public static void Prepare(string dir, int n, int d, int q, int seed)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(seed);
        var gallery = Gaussian(rng, n, d);
        var queries = Gaussian(rng, q, d);
        NpyFile.Write(Path.Combine(dir, "gallery.npy"), gallery);
        NpyFile.Write(Path.Combine(dir, "queries.npy"), queries);
        var items = Enumerable.Range(0, n).Select(i => new IndexItem(i, i.ToString(), "vector", -1, "")).ToArray();
        IndexFile.Write(Path.Combine(dir, "gallery.cmidx"), new IndexHeader("", "", d, Metric.InnerProduct, ["vector"], []), items,
            (i, dst) => gallery.RowReadOnly(i).CopyTo(dst));
        Console.WriteLine($"wrote {n}×{d} gallery and {q} queries to {dir}");
    }

    public static void Run(string dir, int k, int threads, int repeats, int bruteForceQueries, int blockRows)
    {
        var open = Stopwatch.StartNew();
        using var index = EmbeddingIndex.Open(Path.Combine(dir, "gallery.cmidx"), verifyVectors: false);
        Console.WriteLine($"opened (memory-mapped) {index.Count} vectors in {open.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine($"kernel path: {PanelKernel.Active} (best on this CPU: {PanelKernel.Best})");
        index.Threads = threads;
        index.BlockRows = blockRows;
        var queries = MatrixFile.Read(Path.Combine(dir, "queries.npy"));
        index.Search(queries.SelectRows(Enumerable.Range(0, 12).ToArray()), k);  // warm-up: page in the gallery, JIT
        var times = new List<double>();
        var cpu = new List<double>();
        IReadOnlyList<SearchHit[]> results = [];
        using var self = Process.GetCurrentProcess();
        for (int r = 0; r < repeats; r++)
        {
            self.Refresh();
            var cpu0 = self.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            results = index.Search(queries, k);
            times.Add(sw.Elapsed.TotalSeconds);
            self.Refresh();
            cpu.Add((self.TotalProcessorTime - cpu0).TotalSeconds);
        }
        double best = times.Min(), median = times.Order().ElementAt(times.Count / 2);
        Console.WriteLine($"crossmedia: {queries.Rows} queries, k={k}, threads={threads}: best {best:F3} s ({queries.Rows / best:F0} QPS), " +
            $"median {median:F3} s ({queries.Rows / median:F0} QPS), runs {string.Join(" ", times.Select(t => t.ToString("F3")))}; " +
            $"CPU s per run {string.Join(" ", cpu.Select(t => t.ToString("F3")))}");
        var ids = new Matrix(queries.Rows, k);
        for (int i = 0; i < queries.Rows; i++)
            for (int j = 0; j < k; j++) ids[i, j] = results[i][j].Item.Id;
        NpyFile.Write(Path.Combine(dir, "crossmedia_ids.npy"), ids);

        var gallery = MatrixFile.Read(Path.Combine(dir, "gallery.npy"));
        var faissIds = Path.Combine(dir, "faiss_ids.npy");
        if (File.Exists(faissIds))
        {
            var fi = MatrixFile.Read(faissIds);
            int differ = 0, explained = 0;
            for (int i = 0; i < queries.Rows; i++)
                for (int j = 0; j < k; j++)
                {
                    long a = results[i][j].Item.Id, b = (long)fi[i, j];
                    if (a == b) continue;
                    differ++;
                    // A swap is a tie when both items score the same in double precision up to float rounding.
                    double sa = Dot(gallery, (int)a, queries, i), sb = Dot(gallery, (int)b, queries, i);
                    if (Math.Abs(sa - sb) <= 1e-5 * Math.Max(1, Math.Abs(sa))) explained++;
                }
            Console.WriteLine($"vs FAISS: {differ} of {queries.Rows * k} result ids differ; {explained} of those are ties (|Δscore| ≤ 1e-5 relative)");
        }
        // Double-precision brute force on a sample.
        int mism = 0;
        var sample = Math.Min(bruteForceQueries, queries.Rows);
        Parallel.For(0, sample, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            var scores = new double[gallery.Rows];
            for (int g = 0; g < gallery.Rows; g++) scores[g] = Dot(gallery, g, queries, i);
            var top = Enumerable.Range(0, gallery.Rows).OrderByDescending(g => scores[g]).ThenBy(g => g).Take(k).ToArray();
            for (int j = 0; j < k; j++)
                if (top[j] != results[i][j].Item.Id && Math.Abs(scores[top[j]] - scores[results[i][j].Item.Id]) > 1e-5 * Math.Max(1, Math.Abs(scores[top[j]])))
                    Interlocked.Increment(ref mism);
        });
        Console.WriteLine($"vs double-precision brute force on {sample} queries: {mism} ids differ beyond ties");
    }

    /// <summary>Per-request latency: <paramref name="batch"/> queries per search, repeated.</summary>
    public static void Latency(string indexPath, int threads, int repeats, int batch)
    {
        using var index = EmbeddingIndex.Open(indexPath, verifyVectors: false);
        index.Threads = threads;
        var rng = new Random(3);
        var q = new Matrix(batch, index.Dimension);
        for (int i = 0; i < q.Data.Length; i++) q.Data[i] = (float)rng.NextDouble();
        index.Search(q, 10);
        var times = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            index.Search(q, 10);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"{index.Count} items, batch {batch}, threads {threads}: median {times[times.Count / 2]:F2} ms, min {times[0]:F2} ms");
    }

    private static double Dot(Matrix a, int i, Matrix b, int j)
    {
        double s = 0;
        var x = a.RowReadOnly(i);
        var y = b.RowReadOnly(j);
        for (int t = 0; t < x.Length; t++) s += (double)x[t] * y[t];
        return s;
    }

    private static Matrix Gaussian(Random rng, int rows, int cols)
    {
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i += 2)
        {
            double u = 1 - rng.NextDouble(), v = rng.NextDouble();
            double r = Math.Sqrt(-2 * Math.Log(u));
            m.Data[i] = (float)(r * Math.Cos(2 * Math.PI * v));
            if (i + 1 < m.Data.Length) m.Data[i + 1] = (float)(r * Math.Sin(2 * Math.PI * v));
        }
        return m;
    }
}
