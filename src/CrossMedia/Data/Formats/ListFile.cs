namespace CrossMedia.Data.Formats;

/// <summary>
/// List files that name media items, one per line: <c>relative/path label</c> (the FG-XMedia
/// layout; the label is the last whitespace-separated field so paths may hold spaces),
/// <c>path&lt;TAB&gt;label</c>, or any tab-separated columns (e.g. Wikipedia's
/// <c>text_id&lt;TAB&gt;image_id&lt;TAB&gt;label</c>). Empty lines and '#' comments are skipped.
/// </summary>
internal static class ListFile
{
    /// <summary>One entry: the path (first column), the label (last column) and the line it came from.</summary>
    public sealed record Entry(string Path, string Label, int Line, string[] Columns);

    /// <summary>Reads path–label entries.</summary>
    public static IReadOnlyList<Entry> Read(string path)
    {
        var entries = new List<Entry>();
        foreach (var (columns, line) in ReadColumns(path, minColumns: 2))
            entries.Add(new Entry(columns[0], columns[^1], line, columns));
        return entries;
    }

    /// <summary>
    /// Reads rows of columns: tab-separated when the line holds a tab, otherwise split at the last
    /// run of whitespace (path and label). Every row needs at least <paramref name="minColumns"/>.
    /// </summary>
    public static IReadOnlyList<(string[] Columns, int Line)> ReadColumns(string path, int minColumns)
    {
        DataFile.Require(path, "an existing list file");
        var rows = new List<(string[], int)>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.TrimEnd('\r', '\n');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')) continue;
            string[] columns;
            if (line.Contains('\t')) columns = line.Split('\t').Select(c => c.Trim()).ToArray();
            else
            {
                var t = line.Trim();
                int cut = t.LastIndexOfAny([' ', '\t']);
                columns = cut < 0 ? [t] : [t[..cut].TrimEnd(), t[(cut + 1)..]];
            }
            if (line.Contains('\0'))  // no file system takes it; .NET's path calls would throw ArgumentException
                throw new InputException(path, $"line {lineNo}", "text without NUL characters", InputException.Excerpt(line));
            if (columns.Length < minColumns || columns.Any(c => c.Length == 0))
                throw new InputException(path, $"line {lineNo}", $"at least {minColumns} non-empty columns (path and label)", InputException.Excerpt(line));
            rows.Add((columns, lineNo));
        }
        return rows;
    }
}
