using System.Globalization;
using CrossMedia.Core;

namespace CrossMedia.Data.Formats;

/// <summary>
/// Numeric matrices in delimited text: CSV (comma), TSV (tab) or whitespace-separated, one row per
/// line, with an optional header line (detected when its first field is not a number). Empty lines
/// and lines starting with '#' are skipped.
/// </summary>
internal static class DelimitedMatrix
{
    /// <summary>Reads a matrix; the delimiter comes from the extension (.csv comma, .tsv tab, else whitespace).</summary>
    public static Matrix Read(string path)
    {
        DataFile.Require(path, "an existing file");
        char? delimiter = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => ',',
            ".tsv" => '\t',
            _ => null,
        };
        var rows = new List<float[]>();
        int cols = -1, lineNo = 0;
        bool first = true;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = delimiter is { } d ? line.Split(d) : line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (first)
            {
                first = false;
                if (!IsNumber(fields[0].Trim())) continue; // header line
            }
            if (cols < 0) cols = fields.Length;
            else if (fields.Length != cols)
                throw new InputException(path, $"line {lineNo}", $"{cols} values (as on the first row)", $"{fields.Length}");
            var row = new float[cols];
            for (int j = 0; j < cols; j++)
            {
                var f = fields[j].Trim();
                if (!TryParse(f, out row[j]))
                    throw new InputException(path, $"line {lineNo} column {j + 1}", "a number", InputException.Excerpt(f));
            }
            rows.Add(row);
        }
        if (rows.Count == 0) throw new InputException(path, "", "at least one row of numbers", "none");
        return Matrix.FromRows(rows);
    }

    private static bool IsNumber(string s) => TryParse(s, out _);

    /// <summary>Invariant-culture numbers plus NumPy's spellings "inf", "-inf" and "nan" (so bad values reach validation).</summary>
    private static bool TryParse(string s, out float value)
    {
        if (float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        value = s.ToLowerInvariant() switch
        {
            "inf" or "+inf" => float.PositiveInfinity,
            "-inf" => float.NegativeInfinity,
            "nan" or "-nan" => float.NaN,
            _ => 0,
        };
        return value != 0;
    }
}
