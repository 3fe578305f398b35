using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CrossMedia.Core;

namespace CrossMedia.Evaluation;

/// <summary>
/// The exact, memory-bounded core of every retrieval metric: for each query, the 1-based ranks of its
/// relevant gallery items in the full ranking by (distance, gallery index).
/// <para>
/// Queries are processed in blocks (worker threads take blocks from a shared counter); a block
/// holds block × gallery float keys, never the whole query × gallery matrix. Keys come from
/// <see cref="PanelKernel"/> over the gallery packed once into its panels, so every key is the same
/// sequence of fused multiply-adds whatever the item's position or the CPU's path: identical rows get
/// bit-identical keys and ties are then broken by gallery index, deterministically.
/// </para>
/// <para>
/// Ranking does not sort the gallery. Every metric here needs only the ranks of the R relevant items:
/// they are sorted by packed (key, index) and every gallery item is counted into the gap between two
/// consecutive relevant keys (a bucket table over the key range finds the gap in O(1) expected), so
/// rank_j = number of items whose (key, index) ≤ the j-th relevant one. O(N + R log R) per query,
/// exact, and the same order a stable sort by (distance, index) gives.
/// </para>
/// </summary>
internal static class RankingEngine
{
    private const int PanelWidth = PanelKernel.Width;

    /// <summary>Receives one query's relevant ranks (ascending, 1-based) and R (= ranks.Length).</summary>
    public delegate void RankSink<in T>(T state, int query, ReadOnlySpan<int> ranks);

    /// <summary>The gallery in panel layout, with the per-item key offset (‖g‖² for L2, else 0).</summary>
    private sealed class PreparedGallery
    {
        public required float[] Panels { get; init; }
        public required float[] Offsets { get; init; }
        public required int Count { get; init; }
        public required int Stride { get; init; }
        public required int Dim { get; init; }
    }

    private sealed class Workspace(int blockSize, int dim, int stride, int gallery, bool multiLabel, PanelKernel.Isa isa)
    {
        public readonly float[] QueryBlock = new float[Math.Max(1, PanelKernel.PackedQueryFloats(blockSize, dim, isa))];
        public readonly double[] Scales = new double[Math.Max(1, blockSize)];
        public readonly float[] Keys = new float[Math.Max(1, (long)blockSize * stride) is var n && n <= Array.MaxLength ? (int)n : throw new OutOfMemoryException()];
        public readonly int[] Relevant = new int[Math.Max(1, gallery)];
        public readonly ulong[] Sorted = new ulong[gallery + 1];
        public readonly int[] Histogram = new int[gallery + 1];
        public readonly int[] Ranks = new int[Math.Max(1, gallery)];
        public readonly int[] BucketStart = new int[BucketCount(gallery) + 3];
        public readonly ulong[] Scratch = new ulong[Math.Max(1, gallery)];
        public readonly byte[] Mark = multiLabel ? new byte[Math.Max(1, gallery)] : [];
    }

    private const int MaxBuckets = 1 << 22;

    private static int BucketCount(int relevant) =>
        (int)Math.Min(MaxBuckets, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, relevant) * 8));

    /// <summary>Default queries per block: about 4 Mi keys (16 MB) per worker, at most 256, a multiple of the kernel's tile.</summary>
    public static int AutoBlockSize(int queries, int gallery, int threads, int tileRows)
    {
        int byMemory = (int)Math.Clamp((4L << 20) / Math.Max(1, gallery), tileRows, 256);
        int byBalance = (int)Math.Max(4, (queries + threads * 4L - 1) / (threads * 4L));
        int size = Math.Min(byMemory, byBalance);
        return size >= tileRows ? size / tileRows * tileRows : size;
    }

    public static void Run<T>(Matrix queries, Matrix gallery, Relevance relevance, RetrievalOptions options,
        int[]? querySelfIndex, Func<T> init, RankSink<T> sink, Action<T> merge)
    {
        if (queries.Cols != gallery.Cols && queries.Rows > 0 && gallery.Rows > 0)
            throw new ArgumentException($"query dimension {queries.Cols} differs from gallery dimension {gallery.Cols}");
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        int q = queries.Rows;
        if (q == 0) { merge(init()); return; }
        var isa = PanelKernel.Active;
        var prepared = Prepare(gallery, options.Metric, threads);
        int block = options.BlockSize > 0 ? options.BlockSize : AutoBlockSize(q, prepared.Count, threads, PanelKernel.TileRows(isa));
        int blocks = (q + block - 1) / block;
        bool cosine = options.Metric == Metric.Cosine;
        // One long-lived worker per thread, each with one workspace, taking blocks from a shared
        // counter (Parallel.For may re-run its local init many times, re-allocating workspaces).
        var gate = new object();
        int next = -1;
        void Work()
        {
            var ws = new Workspace(block, prepared.Dim, prepared.Stride, prepared.Count, relevance.IsMultiLabel, isa);
            var state = init();
            int b;
            while ((b = Interlocked.Increment(ref next)) < blocks)
            {
                int first = b * block, count = Math.Min(block, q - first);
                LoadQueries(queries, first, count, cosine, isa, ws);
                ComputeKeys(isa, ws.QueryBlock, count, prepared, ws.Keys);
                for (int i = 0; i < count; i++)
                {
                    int query = first + i;
                    int self = options.ExcludeSelf && querySelfIndex is not null ? querySelfIndex[query] : -1;
                    int r = relevance.Fill(query, self, ws.Relevant, ws.Mark);
                    var keys = new ReadOnlySpan<float>(ws.Keys, i * prepared.Stride, prepared.Count);
                    RankRelevant(keys, ws.Relevant.AsSpan(0, r), self, ws);
                    sink(state, query, ws.Ranks.AsSpan(0, r));
                }
            }
            lock (gate) merge(state);
        }
        int workers = Math.Min(threads, blocks);
        if (workers <= 1) { Work(); return; }
        var tasks = new Task[workers];
        for (int t = 0; t < workers; t++) tasks[t] = Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning);
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private static unsafe PreparedGallery Prepare(Matrix gallery, Metric metric, int threads)
    {
        int n = gallery.Rows, d = gallery.Cols;
        int panels = (n + PanelWidth - 1) / PanelWidth;
        int stride = panels * PanelWidth;
        var data = new float[Math.Max(1, (long)panels * d * PanelWidth)];
        var offsets = new float[Math.Max(PanelWidth, stride)];
        Parallel.For(0, panels, new ParallelOptions { MaxDegreeOfParallelism = threads }, p =>
        {
            int first = p * PanelWidth, rows = Math.Min(PanelWidth, n - first);
            double* scales = stackalloc double[PanelWidth];
            for (int l = 0; l < rows; l++)
            {
                double inv = UnitScale(gallery.RowReadOnly(first + l), out double sq);
                scales[l] = metric == Metric.Cosine ? inv : 1;
                offsets[first + l] = metric == Metric.L2 ? (float)sq : 0f;
            }
            fixed (float* src = gallery.Data, dst = data)
                PanelKernel.PackPanel(src + (long)first * d, rows, d, metric == Metric.Cosine ? scales : null, dst + (long)p * d * PanelWidth);
        });
        return new PreparedGallery { Panels = data, Offsets = offsets, Count = n, Stride = stride, Dim = d };
    }

    /// <summary>Packs a block of queries into the kernel's tiles (unit length for cosine, scaled in double as the gallery).</summary>
    private static unsafe void LoadQueries(Matrix queries, int first, int count, bool normalise, PanelKernel.Isa isa, Workspace ws)
    {
        fixed (float* src = queries.Data)
        fixed (double* scales = ws.Scales)
        fixed (float* dst = ws.QueryBlock)
        {
            float* rows = src + (long)first * queries.Cols;
            if (normalise)
                for (int i = 0; i < count; i++) scales[i] = UnitScale(queries.RowReadOnly(first + i));
            PanelKernel.PackQueries(rows, count, queries.Cols, normalise ? scales : null, dst, isa);
        }
    }

    /// <summary>1/‖x‖ in double (1 for a zero row); ‖x‖² comes back in <paramref name="sq"/>.</summary>
    private static double UnitScale(ReadOnlySpan<float> row) => UnitScale(row, out _);

    private static double UnitScale(ReadOnlySpan<float> row, out double sq)
    {
        sq = 0;
        foreach (var x in row) sq += (double)x * x;
        return sq > 0 ? 1 / Math.Sqrt(sq) : 1;
    }

    /// <summary>keys[i, g] = offset[g] − 2·(q_i·g) for every panel (<see cref="PanelKernel"/>).</summary>
    private static unsafe void ComputeKeys(PanelKernel.Isa isa, float[] queryBlock, int nq, PreparedGallery g, float[] keys)
    {
        int d = g.Dim, stride = g.Stride, panels = stride / PanelWidth;
        fixed (float* qb = queryBlock, pb = g.Panels, ob = g.Offsets, kb = keys)
            for (int p = 0; p < panels; p++)
                PanelKernel.Keys(isa, qb, nq, d, pb + (long)p * d * PanelWidth, ob + p * PanelWidth, kb + p * PanelWidth, stride);
    }

    /// <summary>Order-preserving map of a float to uint (−0 = +0; NaN after +∞).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Orderable(float key)
    {
        if (float.IsNaN(key)) key = float.PositiveInfinity;
        uint bits = BitConverter.SingleToUInt32Bits(key);
        if (bits == 0x8000_0000u) bits = 0;
        return bits ^ ((uint)((int)bits >> 31) | 0x8000_0000u);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float FromOrderable(uint o) =>
        BitConverter.UInt32BitsToSingle((o & 0x8000_0000u) != 0 ? o & 0x7FFF_FFFFu : ~o);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Pack(float key, int index) => ((ulong)Orderable(key) << 32) | (uint)index;

    /// <summary>
    /// Fills ws.Ranks[0..R) with the 1-based ranks (ascending) of the relevant items among all gallery
    /// items except <paramref name="self"/>, ordered by (key, index).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code
    private static void RankRelevant(ReadOnlySpan<float> keys, ReadOnlySpan<int> relevant, int self, Workspace ws)
    {
        int r = relevant.Length;
        if (r == 0) return;
        // 1. Relevant (key, index) pairs and their key range.
        var packedRelevant = ws.Scratch.AsSpan(0, r);
        ulong lowest = ulong.MaxValue, highest = 0;
        for (int j = 0; j < r; j++)
        {
            ulong pk = Pack(keys[relevant[j]], relevant[j]);
            packedRelevant[j] = pk;
            lowest = Math.Min(lowest, pk);
            highest = Math.Max(highest, pk);
        }
        float min = FromOrderable((uint)(lowest >> 32));
        float max = FromOrderable((uint)(highest >> 32));

        // 2. Buckets over [min, max]: bucket(x) = ⌊(x − min)·scale⌋ is monotone in x (IEEE rounding is
        //    monotone), so an item can only fall between relevant keys of its own bucket. About 8
        //    buckets per relevant item keep most buckets empty or single.
        int buckets = BucketCount(r);
        float scale = buckets / (max - min);
        if (!float.IsFinite(scale) || !(scale > 0)) { buckets = 1; scale = 0; }
        var counts = ws.BucketStart.AsSpan(0, buckets + 3);
        counts.Clear();
        for (int j = 0; j < r; j++) counts[Bucket(FromOrderable((uint)(packedRelevant[j] >> 32)), min, scale, buckets) + 2]++;
        for (int b = 2; b <= buckets + 1; b++) counts[b] += counts[b - 1];
        // Counting sort by bucket: counts[b+2] = end of bucket b; writing to --end moves it to the
        // bucket's begin, so afterwards bounds[b] = counts[b+2] = begin of bucket b = end of bucket b−1.
        var sorted = ws.Sorted.AsSpan(0, r + 1);
        for (int j = 0; j < r; j++)
        {
            ulong pk = packedRelevant[j];
            int b = Bucket(FromOrderable((uint)(pk >> 32)), min, scale, buckets);
            sorted[--counts[b + 2]] = pk;
        }
        var bounds = counts[2..];
        bounds[buckets] = r;
        sorted[r] = ulong.MaxValue; // sentinel for the branch-free single-bucket test
        SortWithinBuckets(sorted[..r]);

        // 3. histogram[p] = items with exactly p relevant (key, index) pairs before them.
        var histogram = ws.Histogram.AsSpan(0, r + 1);
        histogram.Clear();
        int below = CountItems(keys, min, max, scale, buckets, bounds, sorted, histogram);
        if (self >= 0 && self < keys.Length)
        {
            // Remove the excluded item again (cheaper than testing every item against it).
            float k = keys[self];
            if (k < min) below--;
            else if (k <= max)
            {
                int b = Bucket(k, min, scale, buckets);
                histogram[CountBelow(sorted, bounds[b], bounds[b + 1], Pack(k, self))]--;
            }
        }

        var ranks = ws.Ranks.AsSpan(0, r);
        int run = below;
        for (int j = 0; j < r; j++)
        {
            run += histogram[j];
            ranks[j] = run;
        }
    }

    /// <summary>
    /// The hot loop (every gallery item of every query): fills the histogram and returns the number of
    /// items below the first relevant key. Branch-free for items in buckets with at most one relevant key.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code
    private static unsafe int CountItems(ReadOnlySpan<float> keys, float min, float max, float scale, int buckets,
        ReadOnlySpan<int> bounds, ReadOnlySpan<ulong> sorted, Span<int> histogram)
    {
        int below = 0, last = buckets - 1, n = keys.Length, i = 0;
        fixed (float* kp = keys)
        fixed (int* bp = bounds)
        fixed (ulong* sp = sorted)
        fixed (int* hp = histogram)
        {
            if (Vector256.IsHardwareAccelerated)
            {
                // Eight items at a time: range tests, bucket indices and orderable bits in vector lanes,
                // then the table lookups for the in-range lanes only.
                var vmin = Vector256.Create(min);
                var vmax = Vector256.Create(max);
                var vscale = Vector256.Create(scale);
                var vlast = Vector256.Create(last);
                var sign = Vector256.Create(0x8000_0000u);
                int* bucketOf = stackalloc int[8];
                uint* orderOf = stackalloc uint[8];
                for (; i + 8 <= n; i += 8)
                {
                    var k = Vector256.Load(kp + i);
                    below += BitOperations.PopCount(Vector256.LessThan(k, vmin).ExtractMostSignificantBits());
                    uint inside = (Vector256.GreaterThanOrEqual(k, vmin) & Vector256.LessThanOrEqual(k, vmax)).ExtractMostSignificantBits();
                    if (inside == 0) continue;
                    // Clamped to [0, last]: NaN (∞·0 with one bucket) may convert to anything.
                    var b = Vector256.Max(Vector256.Min(Vector256.ConvertToInt32((k - vmin) * vscale), vlast), Vector256<int>.Zero);
                    b.Store(bucketOf);
                    var bits = k.AsUInt32();
                    (bits ^ (Vector256.ShiftRightArithmetic(bits.AsInt32(), 31).AsUInt32() | sign)).Store(orderOf);
                    do
                    {
                        int lane = BitOperations.TrailingZeroCount(inside);
                        inside &= inside - 1;
                        int bucket = bucketOf[lane];
                        int lo = bp[bucket], width = bp[bucket + 1] - lo;
                        ulong packed = ((ulong)orderOf[lane] << 32) | (uint)(i + lane);
                        if (width <= 1)
                            lo += width & Unsafe.BitCast<bool, byte>(sp[lo] < packed);
                        else
                            lo = CountBelow(sorted, lo, lo + width, packed);
                        hp[lo]++;
                    } while (inside != 0);
                }
            }
            for (; i < n; i++)
            {
                float k = kp[i];
                if (k < min) { below++; continue; }
                if (!(k <= max)) continue; // also NaN: ranked last
                // scale = 0 (one bucket) gives 0 here (NaN converts to 0 as well).
                int b = Math.Min((int)((k - min) * scale), last);
                int lo = bp[b], width = bp[b + 1] - lo;
                ulong packed = ((ulong)OrderableFinite(k) << 32) | (uint)i;
                if (width <= 1)
                    lo += width & Unsafe.BitCast<bool, byte>(sp[lo] < packed); // sorted[r] is a sentinel
                else
                    lo = CountBelow(sorted, lo, lo + width, packed);
                hp[lo]++;
            }
        }
        return below;
    }

    /// <summary><see cref="Orderable"/> for keys that are neither NaN nor −0 (the kernel never makes −0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint OrderableFinite(float key)
    {
        uint bits = BitConverter.SingleToUInt32Bits(key);
        return bits ^ ((uint)((int)bits >> 31) | 0x8000_0000u);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bucket(float k, float min, float scale, int buckets) =>
        scale == 0 ? 0 : Math.Min((int)((k - min) * scale), buckets - 1);

    /// <summary>lo + number of sorted[lo..hi) below <paramref name="packed"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code
    private static int CountBelow(ReadOnlySpan<ulong> sorted, int lo, int hi, ulong packed)
    {
        while (hi - lo > 8)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < packed) lo = mid + 1; else hi = mid;
        }
        while (lo < hi && sorted[lo] < packed) lo++;
        return lo;
    }

    /// <summary>
    /// Finishes the bucket-ordered array: insertion sort is linear when buckets are small; if it has to
    /// shift too much (many keys in one bucket: ties or a skewed distance distribution) fall back to a sort.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code
    private static void SortWithinBuckets(Span<ulong> a)
    {
        long budget = 8L * a.Length + 64;
        for (int i = 1; i < a.Length; i++)
        {
            ulong x = a[i];
            int j = i - 1;
            while (j >= 0 && a[j] > x)
            {
                a[j + 1] = a[j];
                j--;
                if (--budget < 0) { a[(j + 1)] = x; a.Sort(); return; }
            }
            a[j + 1] = x;
        }
    }
}
