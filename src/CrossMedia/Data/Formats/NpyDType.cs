namespace CrossMedia.Data.Formats;

/// <summary>A simple (non-structured) NumPy dtype such as '&lt;f4', '&gt;i8' or '|b1'.</summary>
/// <param name="Kind">Element kind.</param>
/// <param name="ItemSize">Bytes per element.</param>
/// <param name="BigEndian">Stored most-significant byte first ('&gt;').</param>
public sealed record NpyDType(NpyKind Kind, int ItemSize, bool BigEndian = false)
{
    public static readonly NpyDType Float32 = new(NpyKind.Float, 4);
    public static readonly NpyDType Float64 = new(NpyKind.Float, 8);
    public static readonly NpyDType Int32 = new(NpyKind.Int, 4);
    public static readonly NpyDType Int64 = new(NpyKind.Int, 8);

    /// <summary>The descr string NumPy writes ('&lt;f4', '|u1', ...).</summary>
    public string Descr => $"{(ItemSize == 1 ? '|' : BigEndian ? '>' : '<')}{Kind switch { NpyKind.Bool => 'b', NpyKind.Int => 'i', NpyKind.UInt => 'u', _ => 'f' }}{ItemSize}";

    public override string ToString() => Descr;

    /// <summary>Parses a descr; null when it is not one of the supported dtypes.</summary>
    public static NpyDType? Parse(string descr)
    {
        if (descr.Length < 3) return null;
        char order = descr[0];
        if (order is not ('<' or '>' or '|' or '=')) return null;
        if (!int.TryParse(descr.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int size)) return null;
        var kind = descr[1] switch { 'b' => NpyKind.Bool, 'i' => NpyKind.Int, 'u' => NpyKind.UInt, 'f' => NpyKind.Float, _ => (NpyKind?)null };
        bool ok = kind switch
        {
            NpyKind.Bool => size == 1,
            NpyKind.Int or NpyKind.UInt => size is 1 or 2 or 4 or 8,
            NpyKind.Float => size is 4 or 8,
            _ => false,
        };
        if (!ok) return null;
        // '=' is native order; every platform .NET runs CrossMedia on is little-endian.
        return new NpyDType(kind!.Value, size, order == '>' && size > 1);
    }
}
