using CrossMedia.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Torch;

/// <summary>
/// The one place <see cref="Matrix"/> rows cross into libtorch tensors and back (float32, row-major,
/// [rows, cols]); every copy is explicit, so neither side ever aliases the other's memory.
/// </summary>
public static class MatrixTensors
{
    /// <summary>The rows as a float32 tensor [rows, cols] on <paramref name="device"/> (default CPU).</summary>
    public static Tensor ToTensor(this Matrix m, Device? device = null) => Place(tensor(m.Data, [m.Rows, m.Cols]), device);

    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as a float32 tensor [count, cols].</summary>
    public static Tensor ToTensor(this Matrix m, int start, int count, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)start + count, m.Rows);
        if (start == 0 && count == m.Rows) return m.ToTensor(device);
        return Place(tensor(m.Data.AsSpan(start * m.Cols, count * m.Cols).ToArray(), [count, m.Cols]), device);
    }

    /// <summary>A 2-D float32 tensor (any device) as a new <see cref="Matrix"/>.</summary>
    public static Matrix ToMatrix(this Tensor t)
    {
        if (t.dim() != 2) throw new ArgumentException($"a 2-D tensor, not {t.dim()}-D", nameof(t));
        var m = new Matrix((int)t.shape[0], (int)t.shape[1]);
        t.CopyRowsTo(m, 0);
        return m;
    }

    /// <summary>Copies a 2-D float32 tensor [n, m.Cols] (any device) into rows [<paramref name="row"/>, row + n) of <paramref name="m"/>.</summary>
    public static void CopyRowsTo(this Tensor t, Matrix m, int row)
    {
        if (t.dim() != 2 || t.shape[1] != m.Cols || row + t.shape[0] > m.Rows)
            throw new ArgumentException($"a [n, {m.Cols}] tensor for rows {row}.. of a {m.Rows}-row matrix, not [{string.Join(", ", t.shape)}]", nameof(t));
        var target = m.Data.AsSpan(row * m.Cols, (int)t.shape[0] * m.Cols);
        if (t.device_type == DeviceType.CPU && t.is_contiguous())
        {
            t.data<float>().CopyTo(target);
            return;
        }
        using var scope = NewDisposeScope(); // frees the host copy, never t itself
        t.cpu().contiguous().data<float>().CopyTo(target);
    }

    private static Tensor Place(Tensor t, Device? device) => device is null || device.type == DeviceType.CPU ? t : t.to(device);
}
