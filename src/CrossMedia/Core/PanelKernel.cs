using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CrossMedia.Core;

/// <summary>
/// The one numeric core of evaluation ranking and index search (as FAISS has one knn_inner_product):
/// keys = offset − 2·(q·g) for tiles of queries against panels of <see cref="Width"/> gallery vectors,
/// lower key = closer (offset ‖g‖² for <see cref="Metric.L2"/>, else 0).
/// <para>
/// Layouts: a gallery panel is dimension-major (<c>panel[k·16 + c]</c>), a query tile is
/// dimension-major too (<c>tile[k·R + r]</c>, R = <see cref="TileRows"/>), so the inner loop reads
/// one gallery vector register and broadcasts R query values at fixed offsets.
/// </para>
/// <para>
/// Every lane runs acc = fma(q[k], g[k], acc) for k = 0..d−1 from +0 on every path (AVX-512, AVX2,
/// scalar), whatever the tile shape or an item's position: all paths give bit-identical keys,
/// identical rows tie exactly, and ties are then broken by index, deterministically.
/// </para>
/// </summary>
internal static unsafe class PanelKernel
{
    /// <summary>Gallery vectors per panel (one 16-lane or two 8-lane registers).</summary>
    public const int Width = 16;

    /// <summary>The instruction sets the kernel is written for.</summary>
    public enum Isa { Scalar, Avx2, Avx512 }

    /// <summary>The fastest path this CPU runs (chosen at start-up).</summary>
    public static Isa Best { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? Isa.Avx512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? Isa.Avx2
        : Isa.Scalar;

    private static Isa _active = Best;

    /// <summary>The path new operations take; tests force slower ones (results are identical on every path).</summary>
    public static Isa Active
    {
        get => _active;
        set => _active = value <= Best ? value : throw new PlatformNotSupportedException($"{value} is not supported by this CPU (best: {Best})");
    }

    /// <summary>Queries per tile on a path: as many accumulators as the registers hold beside the operands.</summary>
    public static int TileRows(Isa isa) => isa switch { Isa.Avx512 => 12, Isa.Avx2 => 6, _ => 4 };

    /// <summary>Floats a packed query set takes: whole tiles, the last one zero-padded.</summary>
    public static long PackedQueryFloats(int rows, int dim, Isa isa)
    {
        int r = TileRows(isa);
        return (long)(rows + r - 1) / r * r * dim;
    }

    /// <summary>
    /// Packs <paramref name="rows"/> row-major vectors into query tiles of <see cref="TileRows"/>,
    /// each multiplied by its <paramref name="scales"/> entry (in double, then rounded; null: copied).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code
    public static void PackQueries(float* src, int rows, int dim, double* scales, float* dst, Isa isa)
    {
        int r = TileRows(isa);
        for (int t = 0; t * r < rows; t++)
        {
            float* tile = dst + (long)t * r * dim;
            for (int i = 0; i < r; i++)
            {
                int row = t * r + i;
                if (row >= rows) { for (int k = 0; k < dim; k++) tile[(long)k * r + i] = 0f; continue; }
                float* s = src + (long)row * dim;
                if (scales == null) for (int k = 0; k < dim; k++) tile[(long)k * r + i] = s[k];
                else
                {
                    double scale = scales[row];
                    for (int k = 0; k < dim; k++) tile[(long)k * r + i] = (float)(s[k] * scale);
                }
            }
        }
    }

    /// <summary>
    /// Packs up to <see cref="Width"/> row-major vectors into one panel (missing lanes zero), each
    /// multiplied by its <paramref name="scales"/> entry (in double, then rounded; null: copied).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code
    public static void PackPanel(float* src, int rows, int dim, double* scales, float* panel)
    {
        for (int c = 0; c < Width; c++)
        {
            if (c >= rows) { for (int k = 0; k < dim; k++) panel[k * Width + c] = 0f; continue; }
            float* s = src + (long)c * dim;
            if (scales == null) for (int k = 0; k < dim; k++) panel[k * Width + c] = s[k];
            else
            {
                double scale = scales[c];
                for (int k = 0; k < dim; k++) panel[k * Width + c] = (float)(s[k] * scale);
            }
        }
    }

    /// <summary>
    /// keys[r·keyStride + c] = offsets[c] − 2·(q_r·g_c) for r &lt; rows, c &lt; 16: the packed queries
    /// (<see cref="PackQueries"/>, same <paramref name="isa"/>) against one panel. offsets: 16 floats or null (0).
    /// </summary>
    public static void Keys(Isa isa, float* packedQueries, int rows, int dim, float* panel, float* offsets, float* keys, long keyStride)
    {
        int r = TileRows(isa);
        for (int t = 0; t * r < rows; t++)
        {
            float* tile = packedQueries + (long)t * r * dim;
            float* k0 = keys + (long)t * r * keyStride;
            int n = Math.Min(r, rows - t * r);
            switch (isa)
            {
                case Isa.Avx512: Avx512Tile(tile, n, dim, panel, offsets, k0, keyStride); break;
                case Isa.Avx2: Avx2Tile(tile, n, dim, panel, offsets, k0, keyStride); break;
                default: ScalarTile(tile, n, dim, panel, offsets, k0, keyStride); break;
            }
        }
    }

    /// <summary>12 queries × 16 items: 12 accumulators of 16 lanes, one gallery load and 12 broadcasts per dimension.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code
    private static void Avx512Tile(float* q, int n, int dim, float* panel, float* offsets, float* keys, long stride)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        float* g = panel;
        for (int k = 0; k < dim; k++, g += Width, q += 12)
        {
            var v = Vector512.Load(g);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(q[0]), v, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Create(q[1]), v, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Create(q[2]), v, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Create(q[3]), v, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.Create(q[4]), v, a4);
            a5 = Vector512.FusedMultiplyAdd(Vector512.Create(q[5]), v, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.Create(q[6]), v, a6);
            a7 = Vector512.FusedMultiplyAdd(Vector512.Create(q[7]), v, a7);
            a8 = Vector512.FusedMultiplyAdd(Vector512.Create(q[8]), v, a8);
            a9 = Vector512.FusedMultiplyAdd(Vector512.Create(q[9]), v, a9);
            a10 = Vector512.FusedMultiplyAdd(Vector512.Create(q[10]), v, a10);
            a11 = Vector512.FusedMultiplyAdd(Vector512.Create(q[11]), v, a11);
        }
        var off = offsets == null ? Vector512<float>.Zero : Vector512.Load(offsets);
        (off - (a0 + a0)).Store(keys);
        if (n > 1) (off - (a1 + a1)).Store(keys + stride);
        if (n > 2) (off - (a2 + a2)).Store(keys + 2 * stride);
        if (n > 3) (off - (a3 + a3)).Store(keys + 3 * stride);
        if (n > 4) (off - (a4 + a4)).Store(keys + 4 * stride);
        if (n > 5) (off - (a5 + a5)).Store(keys + 5 * stride);
        if (n > 6) (off - (a6 + a6)).Store(keys + 6 * stride);
        if (n > 7) (off - (a7 + a7)).Store(keys + 7 * stride);
        if (n > 8) (off - (a8 + a8)).Store(keys + 8 * stride);
        if (n > 9) (off - (a9 + a9)).Store(keys + 9 * stride);
        if (n > 10) (off - (a10 + a10)).Store(keys + 10 * stride);
        if (n > 11) (off - (a11 + a11)).Store(keys + 11 * stride);
    }

    /// <summary>6 queries × 16 items: 12 accumulators of 8 lanes hide the FMA latency (2 per cycle × ~5 cycles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code
    private static void Avx2Tile(float* q, int n, int dim, float* panel, float* offsets, float* keys, long stride)
    {
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
        Vector256<float> a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
        float* g = panel;
        for (int k = 0; k < dim; k++, g += Width, q += 6)
        {
            var g0 = Vector256.Load(g);
            var g1 = Vector256.Load(g + 8);
            var b = Vector256.Create(q[0]);
            a00 = Vector256.FusedMultiplyAdd(b, g0, a00);
            a01 = Vector256.FusedMultiplyAdd(b, g1, a01);
            b = Vector256.Create(q[1]);
            a10 = Vector256.FusedMultiplyAdd(b, g0, a10);
            a11 = Vector256.FusedMultiplyAdd(b, g1, a11);
            b = Vector256.Create(q[2]);
            a20 = Vector256.FusedMultiplyAdd(b, g0, a20);
            a21 = Vector256.FusedMultiplyAdd(b, g1, a21);
            b = Vector256.Create(q[3]);
            a30 = Vector256.FusedMultiplyAdd(b, g0, a30);
            a31 = Vector256.FusedMultiplyAdd(b, g1, a31);
            b = Vector256.Create(q[4]);
            a40 = Vector256.FusedMultiplyAdd(b, g0, a40);
            a41 = Vector256.FusedMultiplyAdd(b, g1, a41);
            b = Vector256.Create(q[5]);
            a50 = Vector256.FusedMultiplyAdd(b, g0, a50);
            a51 = Vector256.FusedMultiplyAdd(b, g1, a51);
        }
        var off0 = offsets == null ? Vector256<float>.Zero : Vector256.Load(offsets);
        var off1 = offsets == null ? Vector256<float>.Zero : Vector256.Load(offsets + 8);
        Store(keys, off0, off1, a00, a01);
        if (n > 1) Store(keys + stride, off0, off1, a10, a11);
        if (n > 2) Store(keys + 2 * stride, off0, off1, a20, a21);
        if (n > 3) Store(keys + 3 * stride, off0, off1, a30, a31);
        if (n > 4) Store(keys + 4 * stride, off0, off1, a40, a41);
        if (n > 5) Store(keys + 5 * stride, off0, off1, a50, a51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* dst, Vector256<float> off0, Vector256<float> off1, Vector256<float> a0, Vector256<float> a1)
    {
        (off0 - (a0 + a0)).Store(dst);
        (off1 - (a1 + a1)).Store(dst + 8);
    }

    /// <summary>The same arithmetic lane by lane (MathF.FusedMultiplyAdd is exact without FMA hardware too).</summary>
    private static void ScalarTile(float* q, int n, int dim, float* panel, float* offsets, float* keys, long stride)
    {
        const int R = 4;
        float* acc = stackalloc float[R * Width];
        new Span<float>(acc, R * Width).Clear();
        for (int k = 0; k < dim; k++)
            for (int r = 0; r < R; r++)
            {
                float x = q[k * R + r];
                for (int c = 0; c < Width; c++)
                    acc[r * Width + c] = MathF.FusedMultiplyAdd(x, panel[k * Width + c], acc[r * Width + c]);
            }
        for (int r = 0; r < n; r++)
            for (int c = 0; c < Width; c++)
            {
                float a = acc[r * Width + c];
                keys[r * stride + c] = (offsets == null ? 0f : offsets[c]) - (a + a);
            }
    }

    /// <summary>
    /// keys[c] = offsets[c] − 2·(q·x_c) for <paramref name="count"/> ≤ 16 row-major vectors, without
    /// packing: for a few queries packing would cost more than the products. (Another summation
    /// order than the panels': equal within float rounding, not bit for bit.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code
    public static void RowKeys(float* query, int dim, float* rows, int count, float* offsets, float* keys)
    {
        for (int c = 0; c < count; c++)
        {
            float dot = Dot(query, rows + (long)c * dim, dim);
            keys[c] = (offsets == null ? 0f : offsets[c]) - (dot + dot);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: skip tier-0 code
    private static float Dot(float* a, float* b, int dim)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int d = 0;
        for (; d + 32 <= dim; d += 32)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + d), Vector256.Load(b + d), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Load(a + d + 8), Vector256.Load(b + d + 8), s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.Load(a + d + 16), Vector256.Load(b + d + 16), s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.Load(a + d + 24), Vector256.Load(b + d + 24), s3);
        }
        for (; d + 8 <= dim; d += 8) s0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + d), Vector256.Load(b + d), s0);
        float sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        for (; d < dim; d++) sum += a[d] * b[d];
        return sum;
    }
}
