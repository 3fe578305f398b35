using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CrossMedia.Core;

namespace CrossMedia.Evaluation;

/// <summary>
/// The exact, memory-bounded core of every retrieval metric: for each query, the 1-based ranks of its
/// relevant gallery items in the full ranking by (distance, gallery index).
/// <para>
/// Queries are processed in blocks (one block per task, <see cref="Parallel"/> over blocks); a block
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
        public readonly ulong[] Sorted = new ulong[Math.Max(1, gallery)];
        public readonly int[] Histogram = new int[gallery + 1];
        public readonly int[] Ranks = new int[Math.Max(1, gallery)];
        public readonly int[] BucketStart = new int[BucketCount(gallery) + 1];
        public readonly byte[] Mark = multiLabel ? new byte[Math.Max(1, gallery)] : [];
    }

    private const int MaxBuckets = 1 << 22;

    private static int BucketCount(int relevant) =>
        (int)Math.Min(MaxBuckets, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, relevant) * 2));

    /// <summary>Default queries per block: about 4 Mi keys (16 MB) per worker, at least 4, at most 256.</summary>
    public static int AutoBlockSize(int queries, int gallery, int threads)
    {
        int byMemory = (int)Math.Clamp((4L << 20) / Math.Max(1, gallery), 4, 256);
        int byBalance = (int)Math.Max(4, (queries + threads * 4L - 1) / (threads * 4L));
        return Math.Max(1, Math.Min(byMemory, byBalance) / 4 * 4);
    }

    public static void Run<T>(Matrix queries, Matrix gallery, Relevance relevance, RetrievalOptions options,
        int[]? querySelfIndex, Func<T> init, RankSink<T> sink, Action<T> merge)
    {
        if (queries.Cols != gallery.Cols && queries.Rows > 0 && gallery.Rows > 0)
            throw new ArgumentException($"query dimension {queries.Cols} differs from gallery dimension {gallery.Cols}");
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        int q = queries.Rows;
        if (q == 0) { merge(init()); return; }
        var prepared = Prepare(gallery, options.Metric);
        int block = options.BlockSize > 0 ? options.BlockSize : AutoBlockSize(q, prepared.Count, threads);
        int blocks = (q + block - 1) / block;
        bool cosine = options.Metric == DistanceMetric.Cosine;
        var gate = new object();
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => (Work: new Workspace(block, prepared.Dim, prepared.Stride, prepared.Count, relevance.IsMultiLabel), State: init()),
            (b, _, local) =>
            {
                var ws = local.Work;
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
                    sink(local.State, query, ws.Ranks.AsSpan(0, r));
                }
                return local;
            },
            local => { lock (gate) merge(local.State); });
    }

    private static PreparedGallery Prepare(Matrix gallery, DistanceMetric metric)
    {
        int n = gallery.Rows, d = gallery.Cols;
        int panels = (n + PanelWidth - 1) / PanelWidth;
        int stride = panels * PanelWidth;
        var data = new float[Math.Max(1, (long)panels * d * PanelWidth)];
        var offsets = new float[Math.Max(PanelWidth, stride)];
        Parallel.For(0, panels, p =>
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
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
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
    private static void RankRelevant(ReadOnlySpan<float> keys, ReadOnlySpan<int> relevant, int self, Workspace ws)
    {
        int r = relevant.Length;
        if (r == 0) return;
        var sorted = ws.Sorted.AsSpan(0, r);
        for (int j = 0; j < r; j++) sorted[j] = Pack(keys[relevant[j]], relevant[j]);
        sorted.Sort();
        float min = FromOrderable((uint)(sorted[0] >> 32));
        float max = FromOrderable((uint)(sorted[r - 1] >> 32));
        // Gap lookup: bucket(x) = ⌊(x − min)·scale⌋ is monotone in x (IEEE rounding is monotone), so an
        // item can only fall between relevant keys of its own bucket.
        int buckets = BucketCount(r);
        float scale = buckets / (max - min);
        if (!float.IsFinite(scale) || !(scale > 0)) { buckets = 1; scale = 0; }
        var start = ws.BucketStart.AsSpan(0, buckets + 1);
        start.Clear();
        for (int j = 0; j < r; j++)
            start[(scale == 0 ? 0 : Math.Min((int)((FromOrderable((uint)(sorted[j] >> 32)) - min) * scale), buckets - 1)) + 1]++;
        for (int b = 1; b <= buckets; b++) start[b] += start[b - 1];

        // histogram[p] = items with exactly p relevant (key, index) pairs before them.
        var histogram = ws.Histogram.AsSpan(0, r + 1);
        histogram.Clear();
        int below = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            float k = keys[i];
            if (k < min) { below++; continue; }
            if (!(k <= max)) continue;
            int b = scale == 0 ? 0 : Math.Min((int)((k - min) * scale), buckets - 1);
            int lo = start[b], hi = start[b + 1];
            if (lo < hi)
            {
                ulong packed = Pack(k, i);
                if (hi - lo <= 8)
                {
                    while (lo < hi && sorted[lo] < packed) lo++;
                }
                else
                {
                    while (lo < hi)
                    {
                        int mid = (lo + hi) >>> 1;
                        if (sorted[mid] < packed) lo = mid + 1; else hi = mid;
                    }
                }
            }
            histogram[lo]++;
        }
        if (self >= 0 && self < keys.Length) Uncount(keys[self], self, min, max, scale, buckets, start, sorted, histogram, ref below);

        var ranks = ws.Ranks.AsSpan(0, r);
        int run = below;
        for (int j = 0; j < r; j++)
        {
            run += histogram[j];
            ranks[j] = run;
        }
    }

    /// <summary>Removes the excluded item again (cheaper than testing every item against it).</summary>
    private static void Uncount(float k, int i, float min, float max, float scale, int buckets,
        ReadOnlySpan<int> start, ReadOnlySpan<ulong> sorted, Span<int> histogram, ref int below)
    {
        if (k < min) { below--; return; }
        if (!(k <= max)) return;
        int b = scale == 0 ? 0 : Math.Min((int)((k - min) * scale), buckets - 1);
        int lo = start[b], hi = start[b + 1];
        ulong packed = Pack(k, i);
        while (lo < hi && sorted[lo] < packed) lo++;
        histogram[lo]--;
    }
}
