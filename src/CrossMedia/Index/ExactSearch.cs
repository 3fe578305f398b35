using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using CrossMedia.Core;

namespace CrossMedia.Index;

/// <summary>
/// Exact top-k search: the gallery is cut into blocks; a worker packs a block into
/// <see cref="PanelKernel"/> panels and runs the packed query tiles against it, then compares each
/// tile's keys with the queries' current k-th best and pushes only what beats it into a small heap.
/// No key matrix is ever written. Blocks are shared out among threads; each thread keeps its own
/// heaps, merged at the end. Keys are lower-is-closer (offset − 2·q·x); ties are broken by lower
/// position, so results do not depend on the schedule.
/// </summary>
internal static unsafe class ExactSearch
{
    /// <summary>Below this many queries each row is dotted directly: packing would cost more than the products.</summary>
    private const int DirectBelow = 6;
    /// <summary>Floats per packed block: 128 KiB keeps a block in a core's L2 cache.</summary>
    private const int BlockFloats = 32 * 1024;
    private const int Width = PanelKernel.Width;

    /// <summary>A contiguous run of stored vectors (row-major, <c>Count × dim</c>) at positions FirstPosition.. .</summary>
    public readonly record struct Segment(IntPtr Vectors, int Count, int FirstPosition);

    public static int DefaultBlockRows(int dim) => Math.Max(Width, BlockFloats / Math.Max(1, dim) / Width * Width);

    /// <summary>
    /// Searches every segment. <paramref name="offsets"/> (per position, readable 16 past the last; null: 0)
    /// makes the keys ‖x‖² − 2·q·x (L2 order); <paramref name="allowed"/> (per position, nonzero = searchable)
    /// filters. Returns keys (lower is closer) and positions, best first, padded with NaN / −1.
    /// </summary>
    public static (float[] Keys, int[] Positions) Search(IReadOnlyList<Segment> segments, int dim, float[]? offsets,
        ReadOnlySpan<float> queries, int queryCount, int k, byte[]? allowed, int threads, int blockRows)
    {
        if (blockRows <= 0) blockRows = DefaultBlockRows(dim);
        blockRows = (blockRows + Width - 1) / Width * Width;
        var isa = PanelKernel.Active;
        bool direct = queryCount < DirectBelow;
        // Row-major for the direct path, else packed into the kernel's tiles; pinned so workers can hold pointers into them.
        var q = GC.AllocateArray<float>((int)Math.Max(1, direct ? (long)queryCount * dim : PanelKernel.PackedQueryFloats(queryCount, dim, isa)), pinned: true);
        fixed (float* src = queries, dst = q)
            if (direct) new Span<float>(src, queryCount * dim).CopyTo(new Span<float>(dst, q.Length));
            else PanelKernel.PackQueries(src, queryCount, dim, null, dst, isa);

        var units = new List<(int Segment, int Start, int Rows)>();
        for (int s = 0; s < segments.Count; s++)
            for (int start = 0; start < segments[s].Count; start += blockRows)
                units.Add((s, start, Math.Min(blockRows, segments[s].Count - start)));

        var finished = new List<Heaps>();
        if (queryCount > 0 && k > 0 && units.Count > 0)
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
            Parallel.For(0, units.Count, options,
                () => new Heaps(queryCount, k, blockRows, dim, PanelKernel.TileRows(isa)),
                (u, _, heaps) =>
                {
                    var (s, start, rows) = units[u];
                    var seg = segments[s];
                    float* block = (float*)seg.Vectors + (long)start * dim;
                    fixed (float* qp = q)
                    fixed (float* off = offsets)
                    {
                        float* blockOffsets = off == null ? null : off + seg.FirstPosition + start;
                        if (direct) RunDirect(heaps, block, rows, seg.FirstPosition + start, dim, qp, queryCount, blockOffsets, allowed);
                        else RunBlock(heaps, isa, block, rows, seg.FirstPosition + start, dim, qp, queryCount, blockOffsets, allowed);
                    }
                    return heaps;
                },
                heaps => { lock (finished) finished.Add(heaps); });
        }
        return Merge(finished, queryCount, k);
    }

    /// <summary>Packs the block, then every query tile against every panel, offering each tile's keys to the heaps.</summary>
    private static void RunBlock(Heaps heaps, PanelKernel.Isa isa, float* block, int rows, int firstPosition, int dim,
        float* packedQueries, int queryCount, float* offsets, byte[]? allowed)
    {
        int panels = (rows + Width - 1) / Width;
        float* packed = heaps.Packed;
        for (int p = 0; p < panels; p++)
            PanelKernel.PackPanel(block + (long)p * Width * dim, Math.Min(Width, rows - p * Width), dim, null, packed + (long)p * Width * dim);
        int tileRows = PanelKernel.TileRows(isa);
        float* keys = heaps.TileKeys;
        for (int first = 0; first < queryCount; first += tileRows)
        {
            float* tile = packedQueries + (long)first * dim;
            int n = Math.Min(tileRows, queryCount - first);
            for (int p = 0; p < panels; p++)
            {
                int col0 = p * Width;
                PanelKernel.Keys(isa, tile, n, dim, packed + (long)p * Width * dim, offsets == null ? null : offsets + col0, keys, Width);
                int cols = Math.Min(Width, rows - col0);
                for (int r = 0; r < n; r++) heaps.Offer(first + r, keys + r * Width, cols, firstPosition + col0, allowed);
            }
        }
    }

    /// <summary>Few queries (less than <see cref="DirectBelow"/>): each gallery row dotted with each query, no packing.</summary>
    private static void RunDirect(Heaps heaps, float* block, int rows, int firstPosition, int dim,
        float* q, int queryCount, float* offsets, byte[]? allowed)
    {
        float* keys = heaps.TileKeys;
        for (int c0 = 0; c0 < rows; c0 += Width)
        {
            int cols = Math.Min(Width, rows - c0);
            for (int r = 0; r < queryCount; r++)
            {
                PanelKernel.RowKeys(q + (long)r * dim, dim, block + (long)c0 * dim, cols, offsets == null ? null : offsets + c0, keys);
                heaps.Offer(r, keys, cols, firstPosition + c0, allowed);
            }
        }
    }

    private static (float[] Keys, int[] Positions) Merge(List<Heaps> workers, int queryCount, int k)
    {
        var keys = new float[queryCount * k];
        var positions = new int[queryCount * k];
        Array.Fill(keys, float.NaN);
        Array.Fill(positions, -1);
        var candKeys = new List<float>();
        var candPos = new List<int>();
        for (int qi = 0; qi < queryCount; qi++)
        {
            candKeys.Clear();
            candPos.Clear();
            foreach (var w in workers)
                for (int j = 0; j < w.Size[qi]; j++)
                {
                    candKeys.Add(w.Keys[qi * k + j]);
                    candPos.Add(w.Positions[qi * k + j]);
                }
            var order = Enumerable.Range(0, candPos.Count).ToArray();
            Array.Sort(order, (x, y) => Better(candKeys[x], candPos[x], candKeys[y], candPos[y]) ? -1
                : Better(candKeys[y], candPos[y], candKeys[x], candPos[x]) ? 1 : 0);
            for (int j = 0; j < Math.Min(k, order.Length); j++)
            {
                keys[qi * k + j] = candKeys[order[j]];
                positions[qi * k + j] = candPos[order[j]];
            }
        }
        foreach (var w in workers) w.Dispose();
        return (keys, positions);
    }

    /// <summary>The order of results: lower key first, then lower position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Better(float k1, int p1, float k2, int p2) => k1 < k2 || (k1 == k2 && p1 < p2);

    /// <summary>One worker's state: a bounded heap (worst at the root) per query, a packing buffer and a tile of keys.</summary>
    private sealed class Heaps : IDisposable
    {
        public readonly float[] Keys;
        public readonly int[] Positions;
        public readonly int[] Size;
        /// <summary>Per query: the key a candidate must not exceed to be considered (+∞ until the heap is full).</summary>
        public readonly float[] Threshold;
        private readonly int _k;
        public readonly float* Packed;
        /// <summary>One query tile's keys against one panel (tile rows × 16).</summary>
        public readonly float* TileKeys;

        public Heaps(int queryCount, int k, int blockRows, int dim, int tileRows)
        {
            _k = k;
            Keys = new float[queryCount * k];
            Positions = new int[queryCount * k];
            Size = new int[queryCount];
            Threshold = new float[queryCount];
            Array.Fill(Threshold, float.PositiveInfinity);
            Packed = (float*)NativeMemory.AlignedAlloc((nuint)((long)blockRows * dim * sizeof(float)), 64);
            TileKeys = (float*)NativeMemory.AlignedAlloc((nuint)(Math.Max(tileRows, 1) * Width * sizeof(float)), 64);
        }

        /// <summary>Pushes the first <paramref name="cols"/> of 16 keys that reach the query's threshold and are allowed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Offer(int qi, float* keys, int cols, int position0, byte[]? allowed)
        {
            var thr = Vector256.Create(Threshold[qi]);
            uint mask = Vector256.LessThanOrEqual(Vector256.Load(keys), thr).ExtractMostSignificantBits()
                | (Vector256.LessThanOrEqual(Vector256.Load(keys + 8), thr).ExtractMostSignificantBits() << 8);
            mask &= (1u << cols) - 1;
            while (mask != 0)
            {
                int c = BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                int pos = position0 + c;
                if (allowed != null && allowed[pos] == 0) continue;
                Push(qi, keys[c], pos);
            }
        }

        // Straight to optimised code: tier-0 vector code is many times slower and a search may call it only a few times.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Push(int qi, float key, int pos)
        {
            int baseIdx = qi * _k;
            int n = Size[qi];
            if (n < _k)
            {
                // Sift up from the end.
                int i = n;
                while (i > 0)
                {
                    int parent = (i - 1) >> 1;
                    if (!Better(Keys[baseIdx + parent], Positions[baseIdx + parent], key, pos)) break;
                    Keys[baseIdx + i] = Keys[baseIdx + parent];
                    Positions[baseIdx + i] = Positions[baseIdx + parent];
                    i = parent;
                }
                Keys[baseIdx + i] = key;
                Positions[baseIdx + i] = pos;
                Size[qi] = ++n;
                if (n == _k) Threshold[qi] = Keys[baseIdx];
                return;
            }
            if (!Better(key, pos, Keys[baseIdx], Positions[baseIdx])) return;
            // Replace the root (the worst) and sift down.
            int j = 0;
            while (true)
            {
                int l = 2 * j + 1;
                if (l >= _k) break;
                int r = l + 1;
                int worse = r < _k && Better(Keys[baseIdx + l], Positions[baseIdx + l], Keys[baseIdx + r], Positions[baseIdx + r]) ? r : l;
                if (!Better(key, pos, Keys[baseIdx + worse], Positions[baseIdx + worse])) break;
                Keys[baseIdx + j] = Keys[baseIdx + worse];
                Positions[baseIdx + j] = Positions[baseIdx + worse];
                j = worse;
            }
            Keys[baseIdx + j] = key;
            Positions[baseIdx + j] = pos;
            Threshold[qi] = Keys[baseIdx];
        }

        public void Dispose()
        {
            NativeMemory.AlignedFree(Packed);
            NativeMemory.AlignedFree(TileKeys);
        }
    }
}
