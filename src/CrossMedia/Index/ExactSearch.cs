using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CrossMedia.Index;

/// <summary>
/// Exact top-k search kernel: the gallery is cut into blocks; a worker packs a block into
/// 16-column panels (dimension-major) and multiplies it with 6-query tiles in registers
/// (12 accumulators of 8 floats, fused multiply-add), then compares each tile's scores with the
/// queries' current k-th best score and pushes only what beats it into a small heap. No score
/// matrix is ever written. Blocks are shared out among threads; each thread keeps its own heaps,
/// merged at the end. Ties are broken by lower position, so results do not depend on the
/// schedule.
/// </summary>
internal static unsafe class ExactSearch
{
    public const int TileRows = 6;
    public const int PanelCols = 16;
    /// <summary>Floats per packed block: 128 KiB keeps a block in a core's L2 cache.</summary>
    private const int BlockFloats = 32 * 1024;

    /// <summary>A contiguous run of stored vectors (row-major, <c>Count × dim</c>) at positions FirstPosition.. .</summary>
    public readonly record struct Segment(IntPtr Vectors, int Count, int FirstPosition);

    public static int DefaultBlockRows(int dim) => Math.Max(PanelCols, BlockFloats / Math.Max(1, dim) / PanelCols * PanelCols);

    /// <summary>
    /// Searches every segment. <paramref name="sqNorms"/> (per position) turns inner products into
    /// <c>2·q·x − |x|²</c> (L2 order); <paramref name="allowed"/> (per position, nonzero = searchable)
    /// filters. Returns internal scores (higher is closer) and positions, padded with −1 / NaN.
    /// </summary>
    public static (float[] Scores, int[] Positions) Search(IReadOnlyList<Segment> segments, int dim, float[]? sqNorms,
        ReadOnlySpan<float> queries, int queryCount, int k, byte[]? allowed, int threads, int blockRows)
    {
        if (blockRows <= 0) blockRows = DefaultBlockRows(dim);
        blockRows = (blockRows + PanelCols - 1) / PanelCols * PanelCols;
        int tiles = (queryCount + TileRows - 1) / TileRows;
        // Queries padded to whole tiles; pinned so workers can hold pointers into them.
        var q = GC.AllocateArray<float>(Math.Max(1, tiles * TileRows * dim), pinned: true);
        queries[..(queryCount * dim)].CopyTo(q);

        var units = new List<(int Segment, int Start, int Rows)>();
        for (int s = 0; s < segments.Count; s++)
            for (int start = 0; start < segments[s].Count; start += blockRows)
                units.Add((s, start, Math.Min(blockRows, segments[s].Count - start)));

        var finished = new List<Heaps>();
        if (queryCount > 0 && k > 0 && units.Count > 0)
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
            Parallel.For(0, units.Count, options,
                () => new Heaps(queryCount, k, blockRows, dim),
                (u, _, heaps) =>
                {
                    var (s, start, rows) = units[u];
                    var seg = segments[s];
                    fixed (float* qp = q)
                    fixed (float* norms = sqNorms)
                        RunBlock(heaps, (float*)seg.Vectors + (long)start * dim, rows, seg.FirstPosition + start, dim,
                            qp, queryCount, norms, allowed);
                    return heaps;
                },
                heaps => { lock (finished) finished.Add(heaps); });
        }
        return Merge(finished, queryCount, k);
    }

    // Straight to optimised code: tier-0 vector code is many times slower and a search may call it only a few times.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBlock(Heaps heaps, float* block, int rows, int firstPosition, int dim,
        float* q, int queryCount, float* sqNorms, byte[]? allowed)
    {
        if (queryCount < TileRows)
        {
            RunDirect(heaps, block, rows, firstPosition, dim, q, queryCount, sqNorms, allowed);
            return;
        }
        int panels = (rows + PanelCols - 1) / PanelCols;
        float* packed = heaps.Packed;
        Pack(block, rows, dim, packed, panels);
        float* tmp = stackalloc float[PanelCols];
        int tiles = (queryCount + TileRows - 1) / TileRows;
        for (int t = 0; t < tiles; t++)
        {
            float* a0 = q + (long)t * TileRows * dim;
            float* a1 = a0 + dim, a2 = a1 + dim, a3 = a2 + dim, a4 = a3 + dim, a5 = a4 + dim;
            int tileRows = Math.Min(TileRows, queryCount - t * TileRows);
            for (int p = 0; p < panels; p++)
            {
                float* b = packed + (long)p * PanelCols * dim;
                Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                    c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
                for (int d = 0; d < dim; d++)
                {
                    var b0 = Vector256.Load(b);
                    var b1 = Vector256.Load(b + 8);
                    b += PanelCols;
                    var a = Vector256.Create(a0[d]); c00 = Fmadd(a, b0, c00); c01 = Fmadd(a, b1, c01);
                    a = Vector256.Create(a1[d]); c10 = Fmadd(a, b0, c10); c11 = Fmadd(a, b1, c11);
                    a = Vector256.Create(a2[d]); c20 = Fmadd(a, b0, c20); c21 = Fmadd(a, b1, c21);
                    a = Vector256.Create(a3[d]); c30 = Fmadd(a, b0, c30); c31 = Fmadd(a, b1, c31);
                    a = Vector256.Create(a4[d]); c40 = Fmadd(a, b0, c40); c41 = Fmadd(a, b1, c41);
                    a = Vector256.Create(a5[d]); c50 = Fmadd(a, b0, c50); c51 = Fmadd(a, b1, c51);
                }
                int col0 = p * PanelCols;
                int cols = Math.Min(PanelCols, rows - col0);
                float* norms = sqNorms == null ? null : sqNorms + firstPosition + col0;
                int qi = t * TileRows;
                heaps.Offer(qi, c00, c01, norms, cols, firstPosition + col0, allowed, tmp);
                if (tileRows > 1) heaps.Offer(qi + 1, c10, c11, norms, cols, firstPosition + col0, allowed, tmp);
                if (tileRows > 2) heaps.Offer(qi + 2, c20, c21, norms, cols, firstPosition + col0, allowed, tmp);
                if (tileRows > 3) heaps.Offer(qi + 3, c30, c31, norms, cols, firstPosition + col0, allowed, tmp);
                if (tileRows > 4) heaps.Offer(qi + 4, c40, c41, norms, cols, firstPosition + col0, allowed, tmp);
                if (tileRows > 5) heaps.Offer(qi + 5, c50, c51, norms, cols, firstPosition + col0, allowed, tmp);
            }
        }
    }

    /// <summary>
    /// Few queries (less than a tile): packing would cost more than the products, and a padded tile
    /// would waste most of its multiply-adds, so each gallery row is dotted with each query directly.
    /// </summary>
    // Straight to optimised code: tier-0 vector code is many times slower and a search may call it only a few times.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunDirect(Heaps heaps, float* block, int rows, int firstPosition, int dim,
        float* q, int queryCount, float* sqNorms, byte[]? allowed)
    {
        float* scores = stackalloc float[PanelCols];
        float* tmp = stackalloc float[PanelCols];
        for (int c0 = 0; c0 < rows; c0 += PanelCols)
        {
            int cols = Math.Min(PanelCols, rows - c0);
            float* norms = sqNorms == null ? null : sqNorms + firstPosition + c0;
            for (int r = 0; r < queryCount; r++)
            {
                float* a = q + (long)r * dim;
                for (int c = 0; c < cols; c++) scores[c] = Dot(a, block + (long)(c0 + c) * dim, dim);
                for (int c = cols; c < PanelCols; c++) scores[c] = 0;
                heaps.Offer(r, Vector256.Load(scores), Vector256.Load(scores + 8), norms, cols, firstPosition + c0, allowed, tmp);
            }
        }
    }

    // Straight to optimised code: tier-0 vector code is many times slower and a search may call it only a few times.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot(float* a, float* b, int dim)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int d = 0;
        for (; d + 32 <= dim; d += 32)
        {
            s0 = Fmadd(Vector256.Load(a + d), Vector256.Load(b + d), s0);
            s1 = Fmadd(Vector256.Load(a + d + 8), Vector256.Load(b + d + 8), s1);
            s2 = Fmadd(Vector256.Load(a + d + 16), Vector256.Load(b + d + 16), s2);
            s3 = Fmadd(Vector256.Load(a + d + 24), Vector256.Load(b + d + 24), s3);
        }
        for (; d + 8 <= dim; d += 8) s0 = Fmadd(Vector256.Load(a + d), Vector256.Load(b + d), s0);
        float sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        for (; d < dim; d++) sum += a[d] * b[d];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fmadd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary>Rows → panels of 16 columns, dimension-major (<c>panel[d*16 + c]</c>), zero-padded.</summary>
    // Straight to optimised code: tier-0 vector code is many times slower and a search may call it only a few times.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pack(float* block, int rows, int dim, float* packed, int panels)
    {
        for (int p = 0; p < panels; p++)
        {
            float* dst = packed + (long)p * PanelCols * dim;
            int cols = Math.Min(PanelCols, rows - p * PanelCols);
            for (int c = 0; c < cols; c++)
            {
                float* src = block + (long)(p * PanelCols + c) * dim;
                for (int d = 0; d < dim; d++) dst[d * PanelCols + c] = src[d];
            }
            for (int c = cols; c < PanelCols; c++)
                for (int d = 0; d < dim; d++) dst[d * PanelCols + c] = 0f;
        }
    }

    private static (float[] Scores, int[] Positions) Merge(List<Heaps> workers, int queryCount, int k)
    {
        var scores = new float[queryCount * k];
        var positions = new int[queryCount * k];
        Array.Fill(scores, float.NaN);
        Array.Fill(positions, -1);
        var candScores = new List<float>();
        var candPos = new List<int>();
        for (int qi = 0; qi < queryCount; qi++)
        {
            candScores.Clear();
            candPos.Clear();
            foreach (var w in workers)
                for (int j = 0; j < w.Size[qi]; j++)
                {
                    candScores.Add(w.Scores[qi * k + j]);
                    candPos.Add(w.Positions[qi * k + j]);
                }
            var order = Enumerable.Range(0, candPos.Count).ToArray();
            Array.Sort(order, (x, y) => Better(candScores[x], candPos[x], candScores[y], candPos[y]) ? -1
                : Better(candScores[y], candPos[y], candScores[x], candPos[x]) ? 1 : 0);
            for (int j = 0; j < Math.Min(k, order.Length); j++)
            {
                scores[qi * k + j] = candScores[order[j]];
                positions[qi * k + j] = candPos[order[j]];
            }
        }
        foreach (var w in workers) w.Dispose();
        return (scores, positions);
    }

    /// <summary>The order of results: higher score first, then lower position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Better(float s1, int p1, float s2, int p2) => s1 > s2 || (s1 == s2 && p1 < p2);

    /// <summary>One worker's state: a bounded min-heap (worst at the root) per query and a packing buffer.</summary>
    private sealed class Heaps : IDisposable
    {
        public readonly float[] Scores;
        public readonly int[] Positions;
        public readonly int[] Size;
        /// <summary>Per query: the score a candidate must reach to be considered (−∞ until the heap is full).</summary>
        public readonly float[] Threshold;
        private readonly int k;
        public readonly float* Packed;

        public Heaps(int queryCount, int k, int blockRows, int dim)
        {
            this.k = k;
            Scores = new float[queryCount * k];
            Positions = new int[queryCount * k];
            Size = new int[queryCount];
            Threshold = new float[queryCount];
            Array.Fill(Threshold, float.NegativeInfinity);
            Packed = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)((long)blockRows * dim * sizeof(float)), 64);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Offer(int qi, Vector256<float> lo, Vector256<float> hi, float* sqNorms, int cols, int position0,
            byte[]? allowed, float* tmp)
        {
            if (sqNorms != null)
            {
                // 2·q·x − |x|²: same order as −|q − x|² (|q|² is constant per query).
                var two = Vector256.Create(2f);
                lo = lo * two - Vector256.Load(sqNorms);
                hi = cols > 8 ? hi * two - Vector256.Load(sqNorms + 8) : hi * two;
            }
            var thr = Vector256.Create(Threshold[qi]);
            uint mask = Vector256.GreaterThanOrEqual(lo, thr).ExtractMostSignificantBits()
                | (Vector256.GreaterThanOrEqual(hi, thr).ExtractMostSignificantBits() << 8);
            if (mask == 0) return;
            mask &= cols >= 32 ? uint.MaxValue : (1u << cols) - 1;
            if (mask == 0) return;
            lo.Store(tmp);
            hi.Store(tmp + 8);
            while (mask != 0)
            {
                int c = BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                int pos = position0 + c;
                if (allowed != null && allowed[pos] == 0) continue;
                Push(qi, tmp[c], pos);
            }
        }

        // Straight to optimised code: tier-0 vector code is many times slower and a search may call it only a few times.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Push(int qi, float score, int pos)
        {
            int baseIdx = qi * k;
            int n = Size[qi];
            if (n < k)
            {
                // Sift up from the end.
                int i = n;
                while (i > 0)
                {
                    int parent = (i - 1) >> 1;
                    if (!Better(Scores[baseIdx + parent], Positions[baseIdx + parent], score, pos)) break;
                    Scores[baseIdx + i] = Scores[baseIdx + parent];
                    Positions[baseIdx + i] = Positions[baseIdx + parent];
                    i = parent;
                }
                Scores[baseIdx + i] = score;
                Positions[baseIdx + i] = pos;
                Size[qi] = ++n;
                if (n == k) Threshold[qi] = Scores[baseIdx];
                return;
            }
            if (!Better(score, pos, Scores[baseIdx], Positions[baseIdx])) return;
            // Replace the root (the worst) and sift down.
            int j = 0;
            while (true)
            {
                int l = 2 * j + 1;
                if (l >= k) break;
                int r = l + 1;
                int worse = r < k && Better(Scores[baseIdx + l], Positions[baseIdx + l], Scores[baseIdx + r], Positions[baseIdx + r]) ? r : l;
                if (!Better(score, pos, Scores[baseIdx + worse], Positions[baseIdx + worse])) break;
                Scores[baseIdx + j] = Scores[baseIdx + worse];
                Positions[baseIdx + j] = Positions[baseIdx + worse];
                j = worse;
            }
            Scores[baseIdx + j] = score;
            Positions[baseIdx + j] = pos;
            Threshold[qi] = Scores[baseIdx];
        }

        public void Dispose() => System.Runtime.InteropServices.NativeMemory.AlignedFree(Packed);
    }
}
