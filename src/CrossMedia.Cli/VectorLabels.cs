using System.Globalization;
using CrossMedia.Data.Formats;

namespace CrossMedia.Cli;

/// <summary>The labels `index build --vectors V --labels L` attaches to the rows of V.</summary>
internal static class VectorLabels
{
    /// <summary>
    /// Reads one label per row: a 1-D integer .npy, or a text file with a class number or a class name per line
    /// (names become the classes, in order of first appearance). -1 means no label. The count must be <paramref name="rows"/>.
    /// </summary>
    public static (int[] Labels, string[] ClassNames) Read(string path, int rows, string vectorsPath)
    {
        int[] labels;
        string[] classes = [];
        if (Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase))
        {
            labels = NpyFile.Read(path).ToLabels(path);
            int bad = Array.FindIndex(labels, l => l < -1);
            if (bad >= 0) throw new InputException(path, $"element {bad}", "a class number ≥ 0 (or -1: no label)", labels[bad].ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            DataFile.Require(path, "an existing labels file (.npy, or text with one label per line)");
            var lines = File.ReadLines(path).Select((text, i) => (Text: text.Trim(), Line: i + 1)).Where(l => l.Text.Length > 0).ToArray();
            if (lines.All(l => int.TryParse(l.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
            {
                labels = lines.Select(l => int.Parse(l.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray();
                int bad = Array.FindIndex(labels, l => l < -1);
                if (bad >= 0) throw new InputException(path, $"line {lines[bad].Line}", "a class number ≥ 0 (or -1: no label)", InputException.Excerpt(lines[bad].Text));
            }
            else
            {
                var classOf = new Dictionary<string, int>(StringComparer.Ordinal);
                labels = lines.Select(l => classOf.TryGetValue(l.Text, out var k) ? k : classOf[l.Text] = classOf.Count).ToArray();
                classes = classOf.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToArray();
            }
        }
        if (labels.Length != rows)
            throw new InputException(path, "", $"{rows} labels (one per row of {Path.GetFileName(vectorsPath)})", labels.Length.ToString(CultureInfo.InvariantCulture));
        return (labels, classes);
    }
}
