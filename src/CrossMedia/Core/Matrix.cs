namespace CrossMedia.Core;

/// <summary>
/// A dense row-major float32 matrix: the exchange type between readers, models, evaluation
/// and the index (no TorchSharp dependency). Row i is <c>Data[i*Cols .. (i+1)*Cols)</c>.
/// </summary>
public sealed class Matrix
{
    public float[] Data { get; }
    public int Rows { get; }
    public int Cols { get; }

    public Matrix(int rows, int cols) : this(new float[checked(rows * (long)cols) is var n && n <= Array.MaxLength ? (int)n : throw new ArgumentOutOfRangeException(nameof(rows), "matrix too large")], rows, cols) { }

    public Matrix(float[] data, int rows, int cols)
    {
        if (rows < 0 || cols < 0 || (long)rows * cols != data.Length)
            throw new ArgumentException($"data has {data.Length} values, expected {rows}×{cols}");
        Data = data;
        Rows = rows;
        Cols = cols;
    }

    public Span<float> Row(int i) => Data.AsSpan(i * Cols, Cols);
    public ReadOnlySpan<float> RowReadOnly(int i) => new(Data, i * Cols, Cols);

    public float this[int row, int col]
    {
        get => Data[row * Cols + col];
        set => Data[row * Cols + col] = value;
    }

    /// <summary>A new matrix holding the given rows, in the given order.</summary>
    public Matrix SelectRows(IReadOnlyList<int> rows)
    {
        var m = new Matrix(rows.Count, Cols);
        for (int i = 0; i < rows.Count; i++) RowReadOnly(rows[i]).CopyTo(m.Row(i));
        return m;
    }

    /// <summary>Stacks matrices with equal column counts vertically.</summary>
    public static Matrix VStack(IReadOnlyList<Matrix> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("nothing to stack");
        int cols = parts[0].Cols;
        if (parts.Any(p => p.Cols != cols)) throw new ArgumentException("column counts differ");
        var m = new Matrix(parts.Sum(p => p.Rows), cols);
        int offset = 0;
        foreach (var p in parts) { p.Data.CopyTo(m.Data, offset); offset += p.Data.Length; }
        return m;
    }

    /// <summary>Index of the first row holding a NaN or infinity, or -1.</summary>
    public int FirstNonFiniteRow()
    {
        for (int i = 0; i < Data.Length; i++)
            if (!float.IsFinite(Data[i])) return i / Cols;
        return -1;
    }

    public static Matrix FromRows(IReadOnlyList<float[]> rows)
    {
        if (rows.Count == 0) return new Matrix(0, 0);
        var m = new Matrix(rows.Count, rows[0].Length);
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != m.Cols) throw new ArgumentException($"row {i} has {rows[i].Length} values, expected {m.Cols}");
            rows[i].CopyTo(m.Row(i));
        }
        return m;
    }
}
