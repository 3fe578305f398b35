using CrossMedia.Core;

namespace CrossMedia.Models.Jfse;

/// <summary>
/// Per-column min-max scaling to [0, 1], fitted once (on training data) and stored with the model.
/// Columns that are constant in the fitting data map to 0. Values outside the fitted range are not
/// clipped (test data may lie slightly outside [0, 1]).
/// </summary>
/// <param name="Min">Per-column minimum of the fitting data.</param>
/// <param name="Max">Per-column maximum of the fitting data.</param>
internal sealed record MinMaxScaler(float[] Min, float[] Max)
{
    public int Dimension => Min.Length;

    public static MinMaxScaler Fit(Matrix data)
    {
        if (data.Rows == 0) throw new ArgumentException("cannot fit a scaler on no rows");
        var min = data.Row(0).ToArray();
        var max = data.Row(0).ToArray();
        for (int i = 1; i < data.Rows; i++)
        {
            var row = data.RowReadOnly(i);
            for (int j = 0; j < row.Length; j++)
            {
                if (row[j] < min[j]) min[j] = row[j];
                if (row[j] > max[j]) max[j] = row[j];
            }
        }
        return new MinMaxScaler(min, max);
    }

    public Matrix Apply(Matrix data)
    {
        if (data.Cols != Dimension)
            throw new InputException("min-max scaler", "columns", Dimension.ToString(), data.Cols.ToString());
        var result = new Matrix(data.Rows, data.Cols);
        for (int i = 0; i < data.Rows; i++)
        {
            var src = data.RowReadOnly(i);
            var dst = result.Row(i);
            for (int j = 0; j < src.Length; j++)
            {
                var range = Max[j] - Min[j];
                dst[j] = range > 0 ? (src[j] - Min[j]) / range : 0f;
            }
        }
        return result;
    }
}
