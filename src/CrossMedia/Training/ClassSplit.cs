namespace CrossMedia.Training;

/// <summary>Which classes a zero-shot model sees in training and which it must generalise to.</summary>
public sealed record ClassSplit(IReadOnlySet<int> Seen, IReadOnlySet<int> Unseen)
{
    /// <summary>
    /// The DADN convention used by JFSE: classes with an even zero-based index are unseen
    /// (Wikipedia: 5 seen / 5 unseen).
    /// </summary>
    public static ClassSplit EvenIndexUnseen(int classCount) => FromUnseen(
        Enumerable.Range(0, classCount).Where(c => c % 2 == 0), classCount);

    /// <summary>
    /// Parses an explicit comma-separated list of unseen classes, each a zero-based index or a
    /// class name.
    /// </summary>
    public static ClassSplit Parse(string unseenList, IReadOnlyList<string> classNames)
    {
        var unseen = new List<int>();
        foreach (var raw in unseenList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int index = int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i)
                ? i
                : classNames.ToList().FindIndex(n => string.Equals(n, raw, StringComparison.OrdinalIgnoreCase));
            if (index < 0 || index >= classNames.Count)
                throw new InputException("--unseen", raw, $"a class index 0..{classNames.Count - 1} or one of {string.Join(", ", classNames)}", $"'{raw}'");
            unseen.Add(index);
        }
        var split = FromUnseen(unseen, classNames.Count);
        if (split.Unseen.Count == 0 || split.Seen.Count == 0)
            throw new InputException("--unseen", "", "at least one seen and one unseen class", $"{split.Seen.Count} seen, {split.Unseen.Count} unseen");
        return split;
    }

    public static ClassSplit FromUnseen(IEnumerable<int> unseen, int classCount)
    {
        var u = unseen.ToHashSet();
        var seen = Enumerable.Range(0, classCount).Where(c => !u.Contains(c)).ToHashSet();
        return new ClassSplit(seen, u);
    }

    /// <summary>Every class seen: the standard scenario.</summary>
    public static ClassSplit AllSeen(int classCount) => FromUnseen([], classCount);
}
