using System.Globalization;
using CrossMedia.Core;

namespace CrossMedia.Data.Formats;

/// <summary>
/// A loaded NumPy array in C (row-major) order. <see cref="Data"/> is float[] for f4, double[] for f8,
/// long[] for signed integers and u1..u4, ulong[] for u8, bool[] for b1.
/// </summary>
public sealed class NpyArray
{
    /// <summary>Dimensions (1-D or 2-D).</summary>
    public int[] Shape { get; }
    /// <summary>The dtype as stored in the file.</summary>
    public NpyDType DType { get; }
    /// <summary>Elements in row-major order (see the class summary for the array type).</summary>
    public Array Data { get; }
    public int Count => Data.Length;
    public int Rank => Shape.Length;

    public NpyArray(int[] shape, NpyDType dtype, Array data)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        if (n != data.Length) throw new ArgumentException($"shape ({string.Join(", ", shape)}) needs {n} elements, data has {data.Length}");
        Shape = shape;
        DType = dtype;
        Data = data;
        _unsigned64 = dtype is { Kind: NpyKind.UInt, ItemSize: 8 };
    }

    private readonly bool _unsigned64;

    public string ShapeText => Shape.Length == 1 ? $"({Shape[0]},)" : $"({string.Join(", ", Shape)})";

    /// <summary>Element i as a double (exact for every dtype except integers beyond 2^53).</summary>
    public double GetDouble(int i) => Data switch
    {
        float[] f => f[i],
        double[] d => d[i],
        // The runtime lets long[] and ulong[] pass each other's type tests; the dtype says which it is.
        ulong[] u when _unsigned64 => u[i],
        long[] l => l[i],
        bool[] b => b[i] ? 1 : 0,
        _ => throw new InvalidOperationException("unknown element type"),
    };

    /// <summary>The array as a float32 matrix; must be 2-D and numeric. <paramref name="source"/> names the file in errors.</summary>
    public Matrix ToMatrix(string source, string field = "shape")
    {
        if (Rank != 2) throw new InputException(source, field, "a 2-D array (rows × dimensions)", $"{Rank}-D array of shape {ShapeText}");
        if (DType.Kind == NpyKind.Bool) throw new InputException(source, "dtype", "a numeric dtype", DType.Descr);
        if (Data is float[] f) return new Matrix(f, Shape[0], Shape[1]);
        var m = new Matrix(Shape[0], Shape[1]);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (float)GetDouble(i);
        return m;
    }

    /// <summary>
    /// The array as int labels; must be 1-D with integer values in int range (any integer dtype, or
    /// floats holding whole numbers).
    /// </summary>
    public int[] ToLabels(string source, string field = "shape")
    {
        if (Rank != 1) throw new InputException(source, field, "a 1-D array of labels", $"{Rank}-D array of shape {ShapeText}");
        if (DType.Kind == NpyKind.Bool) throw new InputException(source, "dtype", "an integer dtype", DType.Descr);
        var labels = new int[Count];
        for (int i = 0; i < labels.Length; i++)
        {
            bool ok;
            switch (Data)
            {
                case ulong[] u when _unsigned64: ok = u[i] <= int.MaxValue; if (ok) labels[i] = (int)u[i]; break;
                case long[] l: ok = l[i] is >= int.MinValue and <= int.MaxValue; if (ok) labels[i] = (int)l[i]; break;
                default:
                    double v = GetDouble(i);
                    ok = double.IsFinite(v) && v == Math.Floor(v) && v is >= int.MinValue and <= int.MaxValue;
                    if (ok) labels[i] = (int)v;
                    break;
            }
            if (!ok)
                throw new InputException(source, $"element {i}", "an integer label in int32 range",
                    GetDouble(i).ToString("R", CultureInfo.InvariantCulture));
        }
        return labels;
    }
}
