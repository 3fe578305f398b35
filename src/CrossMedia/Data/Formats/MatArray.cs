using CrossMedia.Core;

namespace CrossMedia.Data.Formats;

/// <summary>
/// One variable of a MATLAB .mat file. Numeric (and logical) arrays keep MATLAB's dimensions and
/// their values converted to double in MATLAB's column-major order; char arrays carry their text.
/// </summary>
internal sealed class MatArray
{
    /// <summary>Variable name.</summary>
    public string Name { get; }
    /// <summary>MATLAB class name: "double", "single", "int8".."uint64", "logical" or "char".</summary>
    public string ClassName { get; }
    /// <summary>MATLAB dimensions (at least two).</summary>
    public IReadOnlyList<int> Dimensions { get; }
    /// <summary>Values in column-major order; null for char arrays.</summary>
    public double[]? Values { get; }
    /// <summary>The text of a char array (rows joined with '\n'); null for numeric arrays.</summary>
    public string? Text { get; }

    internal MatArray(string name, string className, int[] dimensions, double[]? values, string? text)
    {
        Name = name;
        ClassName = className;
        Dimensions = dimensions;
        Values = values;
        Text = text;
    }

    public bool IsNumeric => Values is not null;

    /// <summary>Number of elements (product of the dimensions).</summary>
    public long Count => Dimensions.Aggregate(1L, (a, d) => a * d);

    /// <summary>
    /// The array as a row-major float matrix: rows = first dimension, columns = the product of the
    /// others (an N-D array d0×d1×d2 becomes d0 × (d1·d2), column index j + d1·k as MATLAB's
    /// reshape(A, d0, []) would give).
    /// </summary>
    public Matrix ToMatrix(string source)
    {
        if (Values is null)
            throw new InputException(source, Name, "a numeric array",
                ClassName == "char" ? "a char array" : $"a {ClassName} array (cell, struct, sparse and complex arrays are not supported; save a full numeric matrix)");
        int rows = Dimensions[0];
        long colsLong = Dimensions.Skip(1).Aggregate(1L, (a, d) => a * d); // an empty 0×3 array keeps its 3 columns
        if (colsLong > int.MaxValue) throw new InputException(source, Name, "at most 2^31 columns", colsLong.ToString());
        int cols = (int)colsLong;
        var m = new Matrix(rows, cols);
        var v = Values;
        for (int j = 0; j < cols; j++)
        {
            int offset = j * rows;
            for (int i = 0; i < rows; i++) m.Data[i * cols + j] = (float)v[offset + i];
        }
        return m;
    }
}
