using System.Diagnostics;
using System.Runtime.InteropServices;
using CrossMedia.Core;
using CrossMedia.Data.Formats;
using CrossMedia.Index;

namespace CrossMedia.Bench;

/// <summary>
/// Approximate-search benchmark (bench/hnsw/run.sh): class-structured vectors (Gaussian class centres plus noise)
/// in an L2 index; exact top-10 as ground truth; HNSW (USearch through <see cref="EmbeddingIndex.SetAnn"/>) built
/// once, then recall@10 and queries/s for several expansion_search values, all on the same threads.
/// faiss_hnsw.py runs FAISS IndexHNSWFlat on the same files.
/// </summary>
internal static class HnswBench
{
    public static void Prepare(string dir, int n, int d, int classes, int q, int seed)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(seed);
        var centres = Gaussian(rng, classes, d, 1f);
        Matrix Sample(int rows, int[] labels)
        {
            var m = Gaussian(rng, rows, d, 0.35f);
            for (int r = 0; r < rows; r++)
            {
                labels[r] = rng.Next(classes);
                for (int j = 0; j < d; j++) m.Data[(long)r * d + j] += centres.Data[labels[r] * d + j];
            }
            return m;
        }
        var labels = new int[n];
        var gallery = Sample(n, labels);
        var queries = Sample(q, new int[q]);
        NpyFile.Write(Path.Combine(dir, "gallery.npy"), gallery);
        NpyFile.Write(Path.Combine(dir, "queries.npy"), queries);
        var items = Enumerable.Range(0, n).Select(i => new IndexItem(i, i.ToString(), "vector", labels[i] % 100, "")).ToArray();
        IndexFile.Write(Path.Combine(dir, "gallery.cmidx"), new IndexHeader("", "", d, Metric.L2, ["vector"], []), items,
            (i, dst) => gallery.RowReadOnly(i).CopyTo(dst));
        File.Delete(Path.Combine(dir, "gallery.cmidx.ann.json"));
        File.Delete(Path.Combine(dir, "truth.npy"));
        Console.WriteLine($"wrote {n}×{d} gallery ({classes} classes) and {q} queries to {dir}");
    }

    /// <summary>
    /// HNSW data from real embeddings (e.g. `crossmedia embed` of a trained model): every vector L2-normalised (so L2
    /// ranks as cosine, for FAISS too); the gallery upsampled to <paramref name="n"/> items SMOTE-style — each new item
    /// lies on the segment from a random seed item to one of its <paramref name="neighbours"/> nearest same-class seeds
    /// (uniform position), plus Gaussian noise of <paramref name="noise"/> × that segment's length spread over the
    /// dimensions — and the seed items themselves kept; queries are the real query embeddings, unchanged.
    /// </summary>
    public static void Upsample(string dir, string[] galleryFiles, string[] queryFiles, int n, int neighbours, float noise, int seed, Metric metric)
    {
        static (Matrix X, int[] Labels) Load(string[] files)
        {
            var parts = files.Select(f => (X: MatrixFile.Read(f), L: MatrixFile.Read(Path.ChangeExtension(f, null) + ".labels.npy"))).ToArray();
            int d = parts[0].X.Cols, rows = parts.Sum(p => p.X.Rows);
            var x = new Matrix(rows, d);
            var labels = new int[rows];
            int r = 0;
            foreach (var (px, pl) in parts)
                for (int i = 0; i < px.Rows; i++, r++)
                {
                    var row = px.RowReadOnly(i);
                    float norm = MathF.Sqrt(Math.Max(1e-12f, System.Numerics.Tensors.TensorPrimitives.SumOfSquares(row)));
                    System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, x.Row(r));
                    labels[r] = (int)pl.Data[i];
                }
            return (x, labels);
        }
        Directory.CreateDirectory(dir);
        var (all, allLabels) = Load(galleryFiles);
        // Identical embeddings (e.g. the same one-line description for two pictures) would make zero-length segments:
        // hundreds of exact copies per seed, a tie no search can rank. One of each is kept.
        var unique = Enumerable.Range(0, all.Rows).DistinctBy(i => Convert.ToBase64String(MemoryMarshal.AsBytes(all.RowReadOnly(i)))).ToArray();
        var seeds = all.SelectRows(unique);
        var seedLabels = unique.Select(i => allLabels[i]).ToArray();
        var (queries, _) = Load(queryFiles);
        int dim = seeds.Cols;
        // Each seed's nearest same-class seeds (brute force: the seed sets are small).
        var near = new int[seeds.Rows][];
        Parallel.For(0, seeds.Rows, i =>
        {
            var similarity = new float[seeds.Rows];
            for (int j = 0; j < seeds.Rows; j++) similarity[j] = System.Numerics.Tensors.TensorPrimitives.Dot(seeds.RowReadOnly(i), seeds.RowReadOnly(j));
            near[i] = Enumerable.Range(0, seeds.Rows).Where(j => j != i && seedLabels[j] == seedLabels[i])
                .OrderByDescending(j => similarity[j]).Take(neighbours).ToArray();
        });
        var rng = new Random(seed);
        var gallery = new Matrix(n, dim);
        var labels = new int[n];
        var step = new float[dim];
        for (int r = 0; r < n; r++)
        {
            var dst = gallery.Row(r);
            int i = r < seeds.Rows ? r : rng.Next(seeds.Rows);
            labels[r] = seedLabels[i];
            seeds.RowReadOnly(i).CopyTo(dst);
            if (r < seeds.Rows || near[i].Length == 0) continue;
            var b = seeds.RowReadOnly(near[i][rng.Next(near[i].Length)]);
            System.Numerics.Tensors.TensorPrimitives.Subtract(b, seeds.RowReadOnly(i), step);
            float t = (float)rng.NextDouble();
            float sigma = noise * System.Numerics.Tensors.TensorPrimitives.Norm(step) / MathF.Sqrt(dim);
            for (int j = 0; j < dim; j++)
                dst[j] += t * step[j] + sigma * (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
            // A cosine index holds unit-length rows (and FAISS's L2 on them ranks as cosine).
            if (metric == Metric.Cosine) System.Numerics.Tensors.TensorPrimitives.Divide(dst, System.Numerics.Tensors.TensorPrimitives.Norm(dst), dst);
        }
        NpyFile.Write(Path.Combine(dir, "gallery.npy"), gallery);
        NpyFile.Write(Path.Combine(dir, "queries.npy"), queries);
        var items = Enumerable.Range(0, n).Select(i => new IndexItem(i, i.ToString(), "vector", labels[i], "")).ToArray();
        IndexFile.Write(Path.Combine(dir, "gallery.cmidx"), new IndexHeader("", "", dim, metric, ["vector"], []), items,
            (i, dst) => gallery.RowReadOnly(i).CopyTo(dst));
        File.Delete(Path.Combine(dir, "gallery.cmidx.ann.json"));
        File.Delete(Path.Combine(dir, "truth.npy"));
        Console.WriteLine($"wrote {n}×{dim} {metric.Name()} gallery upsampled from {seeds.Rows} distinct real embeddings (of {all.Rows}; {galleryFiles.Length} files, {neighbours} same-class neighbours, noise {noise}) and {queries.Rows} real queries to {dir}");
    }

    private static Matrix Gaussian(Random rng, int rows, int cols, float sigma)
    {
        var m = new Matrix(rows, cols);
        for (long i = 0; i < m.Data.Length; i++)
            m.Data[i] = sigma * (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return m;
    }

    public static void Run(string dir, int k, int threads, int[] expansions, int connectivity, int expansionAdd, string quantization, int filterPercent)
    {
        var path = Path.Combine(dir, "gallery.cmidx");
        using var index = EmbeddingIndex.Open(path, verifyVectors: false);
        index.Threads = threads;
        var queries = MatrixFile.Read(Path.Combine(dir, "queries.npy"));
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()}; {Environment.ProcessorCount} cores; threads {threads}; {index.Count} items, {queries.Rows} queries, k={k}");

        // Exact answers: ground truth (ids and distances, for FAISS too) and the exact throughput.
        var sw = Stopwatch.StartNew();
        var exact = index.Search(queries, k, exact: true);
        double exactQps = queries.Rows / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"exact, all queries in one batch: {exactQps:F0} QPS");
        // A server answers one query per request: the exact scan then reads every vector once per query.
        int single = Math.Min(200, queries.Rows);
        sw.Restart();
        for (int i = 0; i < single; i++) index.Search(queries.SelectRows([i]), k, exact: true);
        double singleQps = single / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"exact, one query per call ({single} queries): {singleQps:F0} QPS");
        {
            var ids = new Matrix(queries.Rows, k);
            for (int i = 0; i < queries.Rows; i++) for (int j = 0; j < k; j++) ids[i, j] = exact[i][j].Item.Id;
            NpyFile.Write(Path.Combine(dir, "truth.npy"), ids);
            var distances = new Matrix(queries.Rows, k);
            for (int i = 0; i < queries.Rows; i++) for (int j = 0; j < k; j++) distances[i, j] = exact[i][j].Score;
            NpyFile.Write(Path.Combine(dir, "truth_distances.npy"), distances);
        }

        var settings = new AnnSettings(connectivity, expansionAdd, expansions[0], quantization);
        if (index.Ann is { } have && have with { ExpansionSearch = settings.ExpansionSearch } == settings)
            Console.WriteLine("hnsw: graph loaded from disk");
        else
        {
            sw.Restart();
            index.SetAnn(settings);
            Console.WriteLine($"hnsw build: {sw.Elapsed.TotalSeconds:F1} s (M={connectivity}, efConstruction={expansionAdd}, {quantization}, {threads} threads)");
        }
        var info = index.AnnInfo!;
        Console.WriteLine($"hnsw graph: {info.MemoryBytes / 1048576.0:F0} MiB in memory, {info.FileBytes / 1048576.0:F0} MiB file; USearch {info.Version} ({info.Isa})");
        sw.Restart();
        using (EmbeddingIndex.Open(path, verifyVectors: false)) Console.WriteLine($"hnsw open (vectors mapped, graph loaded and checked): {sw.Elapsed.TotalSeconds:F2} s");

        foreach (var ef in expansions)
        {
            index.SetAnn(settings with { ExpansionSearch = ef });
            index.Search(queries.SelectRows(Enumerable.Range(0, Math.Min(50, queries.Rows)).ToArray()), k);  // warm-up
            sw.Restart();
            var approx = index.Search(queries, k);
            double qps = queries.Rows / sw.Elapsed.TotalSeconds;
            sw.Restart();
            // Concurrent callers, as a server's requests: one search runs on one thread, so `threads` of them at once.
            Parallel.For(0, queries.Rows, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => index.Search(queries.SelectRows([i]), k));
            double oneQps = queries.Rows / sw.Elapsed.TotalSeconds;
            Console.WriteLine($"usearch hnsw ef={ef}: recall@{k} {Recall(approx, exact):F3}, with ties {RecallWithTies(approx, exact, index.Metric):F3}, batch {qps:F0} QPS ({qps / exactQps:F1}× exact batch), " +
                $"one per call {oneQps:F0} QPS ({oneQps / singleQps:F1}× exact one per call)");
        }
        if (filterPercent > 0)
        {
            // Labels are class % 100: one label keeps 1 %, ten labels 10 %.
            foreach (var labels in new[] { Enumerable.Range(0, filterPercent).ToHashSet(), new HashSet<int> { 0 } })
            {
                var filter = new SearchFilter(null, labels);
                sw.Restart();
                var truth = index.Search(queries, k, filter, exact: true);
                double eq = queries.Rows / sw.Elapsed.TotalSeconds;
                sw.Restart();
                var approx = index.Search(queries, k, filter);
                double aq = queries.Rows / sw.Elapsed.TotalSeconds;
                Console.WriteLine($"filter {labels.Count} % of items (ef={expansions[^1]}): recall@{k} {Recall(approx, truth):F3}, {aq:F0} QPS; exact with the filter {eq:F0} QPS");
            }
        }
        Console.WriteLine($"load average now {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>Recall as ANN-Benchmarks counts it: a hit is right when its distance is within 1e-3 of the exact k-th
    /// distance, so an item tied with the k-th counts whichever of the tied ids the exact scan listed. Scores are squared
    /// L2 distances, or cosine similarities of unit vectors (distance √(2 − 2 cos)).</summary>
    private static double RecallWithTies(IReadOnlyList<SearchHit[]> approx, IReadOnlyList<SearchHit[]> exact, Metric metric)
    {
        double Distance(float score) => Math.Sqrt(Math.Max(0, metric == Metric.L2 ? score : 2 - 2 * score));
        double found = 0, total = 0;
        for (int q = 0; q < exact.Count; q++)
        {
            if (exact[q].Length == 0) continue;
            double limit = Distance(exact[q][^1].Score) + 1e-3;
            found += approx[q].Count(h => Distance(h.Score) <= limit);
            total += exact[q].Length;
        }
        return found / total;
    }

    private static double Recall(IReadOnlyList<SearchHit[]> approx, IReadOnlyList<SearchHit[]> exact)
    {
        double found = 0, total = 0;
        for (int q = 0; q < exact.Count; q++)
        {
            var truth = exact[q].Select(h => h.Item.Id).ToHashSet();
            found += approx[q].Count(h => truth.Contains(h.Item.Id));
            total += truth.Count;
        }
        return found / total;
    }
}
