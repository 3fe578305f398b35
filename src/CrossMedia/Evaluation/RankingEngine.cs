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
/// holds block × gallery float keys, never the whole query × gallery matrix. Keys come from a
/// register-blocked float32 kernel over a gallery stored in 16-item panels (dimension-major), so every
/// key is the same sequence of fused multiply-adds whatever the item's position: identical rows get
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
    /// <summary>Gallery items per panel (two 8-lane vectors).</summary>
    public const int PanelWidth = 16;

    /// <summary>Receives one query's relevant ranks (ascending, 1-based) and R (= ranks.Length).</summary>
    public delegate void RankSink<in T>(T state, int query, ReadOnlySpan<int> ranks);

    /// <summary>The gallery in panel layout, with the per-item key offset (‖g‖² for Euclidean, else 0).</summary>
    private sealed class PreparedGallery
    {
        public required float[] Panels { get; init; }
        public required float[] Offsets { get; init; }
        public required int Count { get; init; }
        public required int Stride { get; init; }
        public required int Dim { get; init; }
    }

    private sealed class Workspace(int blockSize, int dim, int stride, int gallery, bool multiLabel)
    {
        public readonly float[] QueryBlock = new float[Math.Max(1, blockSize * dim)];
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

    /// <summary>Default queries per block: about 4 Mi keys (16 MB) per worker, at most 256, a multiple of the 6-query kernel.</summary>
    public static int AutoBlockSize(int queries, int gallery, int threads)
    {
        int byMemory = (int)Math.Clamp((4L << 20) / Math.Max(1, gallery), 6, 256);
        int byBalance = (int)Math.Max(4, (queries + threads * 4L - 1) / (threads * 4L));
        int size = Math.Min(byMemory, byBalance);
        return size >= 6 ? size / 6 * 6 : size;
    }

    public static void Run<T>(Matrix queries, Matrix gallery, Relevance relevance, RetrievalOptions options,
        int[]? querySelfIndex, Func<T> init, RankSink<T> sink, Action<T> merge)
    {
        if (queries.Cols != gallery.Cols && queries.Rows > 0 && gallery.Rows > 0)
            throw new ArgumentException($"query dimension {queries.Cols} differs from gallery dimension {gallery.Cols}");
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        int q = queries.Rows;
        if (q == 0) { merge(init()); return; }
        var prepared = Prepare(gallery, options.Metric, threads);
        int block = options.BlockSize > 0 ? options.BlockSize : AutoBlockSize(q, prepared.Count, threads);
        int blocks = (q + block - 1) / block;
        bool cosine = options.Metric == DistanceMetric.Cosine;
        // One long-lived worker per thread, each with one workspace, taking blocks from a shared
        // counter (Parallel.For may re-run its local init many times, re-allocating workspaces).
        var gate = new object();
        int next = -1;
        void Work()
        {
            var ws = new Workspace(block, prepared.Dim, prepared.Stride, prepared.Count, relevance.IsMultiLabel);
            var state = init();
            int b;
            while ((b = Interlocked.Increment(ref next)) < blocks)
            {
                int first = b * block, count = Math.Min(block, q - first);
                LoadQueries(queries, first, count, cosine, ws.QueryBlock);
                ComputeKeys(ws.QueryBlock, count, prepared, ws.Keys);
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

    private static PreparedGallery Prepare(Matrix gallery, DistanceMetric metric, int threads)
    {
        int n = gallery.Rows, d = gallery.Cols;
        int panels = (n + PanelWidth - 1) / PanelWidth;
        int stride = panels * PanelWidth;
        var data = new float[Math.Max(1, (long)panels * d * PanelWidth)];
        var offsets = new float[Math.Max(PanelWidth, stride)];
        Parallel.For(0, panels, new ParallelOptions { MaxDegreeOfParallelism = threads }, p =>
        {
            for (int l = 0; l < PanelWidth; l++)
            {
                int g = p * PanelWidth + l;
                if (g >= n) break;
                var row = gallery.RowReadOnly(g);
                double sq = 0;
                foreach (var x in row) sq += (double)x * x;
                double inv = metric == DistanceMetric.Cosine && sq > 0 ? 1 / Math.Sqrt(sq) : 1;
                long baseIndex = (long)p * d * PanelWidth + l;
                for (int k = 0; k < d; k++) data[baseIndex + (long)k * PanelWidth] = (float)(row[k] * inv);
                offsets[g] = metric == DistanceMetric.Euclidean ? (float)sq : 0f;
            }
        });
        return new PreparedGallery { Panels = data, Offsets = offsets, Count = n, Stride = stride, Dim = d };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code
    private static void LoadQueries(Matrix queries, int first, int count, bool normalise, float[] block)
    {
        int d = queries.Cols;
        for (int i = 0; i < count; i++)
        {
            var row = queries.RowReadOnly(first + i);
            var dst = block.AsSpan(i * d, d);
            if (!normalise) { row.CopyTo(dst); continue; }
            double sq = 0;
            foreach (var x in row) sq += (double)x * x;
            double inv = sq > 0 ? 1 / Math.Sqrt(sq) : 1;
            for (int k = 0; k < d; k++) dst[k] = (float)(row[k] * inv);
        }
    }

    /// <summary>keys[i, g] = offset[g] − 2·(q_i·g); every lane runs acc = fma(q[k], g[k], acc) for k = 0..d−1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code
    private static unsafe void ComputeKeys(float[] queryBlock, int nq, PreparedGallery g, float[] keys)
    {
        int d = g.Dim, stride = g.Stride, panels = stride / PanelWidth;
        fixed (float* qb = queryBlock, pb = g.Panels, ob = g.Offsets, kb = keys)
        {
            for (int p = 0; p < panels; p++)
            {
                float* panel = pb + (long)p * d * PanelWidth;
                var off0 = Vector256.Load(ob + p * PanelWidth);
                var off1 = Vector256.Load(ob + p * PanelWidth + 8);
                int i = 0;
                // 6 queries × 16 items: 12 accumulators hide the FMA latency (2 per cycle × ~5 cycles).
                for (; i + 6 <= nq; i += 6)
                {
                    float* q0 = qb + (long)i * d, q1 = q0 + d, q2 = q1 + d, q3 = q2 + d, q4 = q3 + d, q5 = q4 + d;
                    Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
                    Vector256<float> a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
                    float* gp = panel;
                    for (int k = 0; k < d; k++, gp += PanelWidth)
                    {
                        var g0 = Vector256.Load(gp);
                        var g1 = Vector256.Load(gp + 8);
                        var b = Vector256.Create(q0[k]);
                        a00 = Vector256.FusedMultiplyAdd(b, g0, a00);
                        a01 = Vector256.FusedMultiplyAdd(b, g1, a01);
                        b = Vector256.Create(q1[k]);
                        a10 = Vector256.FusedMultiplyAdd(b, g0, a10);
                        a11 = Vector256.FusedMultiplyAdd(b, g1, a11);
                        b = Vector256.Create(q2[k]);
                        a20 = Vector256.FusedMultiplyAdd(b, g0, a20);
                        a21 = Vector256.FusedMultiplyAdd(b, g1, a21);
                        b = Vector256.Create(q3[k]);
                        a30 = Vector256.FusedMultiplyAdd(b, g0, a30);
                        a31 = Vector256.FusedMultiplyAdd(b, g1, a31);
                        b = Vector256.Create(q4[k]);
                        a40 = Vector256.FusedMultiplyAdd(b, g0, a40);
                        a41 = Vector256.FusedMultiplyAdd(b, g1, a41);
                        b = Vector256.Create(q5[k]);
                        a50 = Vector256.FusedMultiplyAdd(b, g0, a50);
                        a51 = Vector256.FusedMultiplyAdd(b, g1, a51);
                    }
                    float* k0 = kb + (long)i * stride + p * PanelWidth;
                    Store(k0, off0, off1, a00, a01);
                    Store(k0 + stride, off0, off1, a10, a11);
                    Store(k0 + 2L * stride, off0, off1, a20, a21);
                    Store(k0 + 3L * stride, off0, off1, a30, a31);
                    Store(k0 + 4L * stride, off0, off1, a40, a41);
                    Store(k0 + 5L * stride, off0, off1, a50, a51);
                }
                for (; i + 4 <= nq; i += 4)
                {
                    float* q0 = qb + (long)i * d, q1 = q0 + d, q2 = q1 + d, q3 = q2 + d;
                    Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default;
                    Vector256<float> a20 = default, a21 = default, a30 = default, a31 = default;
                    float* gp = panel;
                    for (int k = 0; k < d; k++, gp += PanelWidth)
                    {
                        var g0 = Vector256.Load(gp);
                        var g1 = Vector256.Load(gp + 8);
                        var b = Vector256.Create(q0[k]);
                        a00 = Vector256.FusedMultiplyAdd(b, g0, a00);
                        a01 = Vector256.FusedMultiplyAdd(b, g1, a01);
                        b = Vector256.Create(q1[k]);
                        a10 = Vector256.FusedMultiplyAdd(b, g0, a10);
                        a11 = Vector256.FusedMultiplyAdd(b, g1, a11);
                        b = Vector256.Create(q2[k]);
                        a20 = Vector256.FusedMultiplyAdd(b, g0, a20);
                        a21 = Vector256.FusedMultiplyAdd(b, g1, a21);
                        b = Vector256.Create(q3[k]);
                        a30 = Vector256.FusedMultiplyAdd(b, g0, a30);
                        a31 = Vector256.FusedMultiplyAdd(b, g1, a31);
                    }
                    float* k0 = kb + (long)i * stride + p * PanelWidth;
                    Store(k0, off0, off1, a00, a01);
                    Store(k0 + stride, off0, off1, a10, a11);
                    Store(k0 + 2L * stride, off0, off1, a20, a21);
                    Store(k0 + 3L * stride, off0, off1, a30, a31);
                }
                for (; i < nq; i++)
                {
                    float* q0 = qb + (long)i * d;
                    Vector256<float> a0 = default, a1 = default;
                    float* gp = panel;
                    for (int k = 0; k < d; k++, gp += PanelWidth)
                    {
                        var b = Vector256.Create(q0[k]);
                        a0 = Vector256.FusedMultiplyAdd(b, Vector256.Load(gp), a0);
                        a1 = Vector256.FusedMultiplyAdd(b, Vector256.Load(gp + 8), a1);
                    }
                    Store(kb + (long)i * stride + p * PanelWidth, off0, off1, a0, a1);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* dst, Vector256<float> off0, Vector256<float> off1, Vector256<float> a0, Vector256<float> a1)
    {
        (off0 - (a0 + a0)).Store(dst);
        (off1 - (a1 + a1)).Store(dst + 8);
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
