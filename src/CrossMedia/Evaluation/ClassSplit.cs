using CrossMedia.Data;

namespace CrossMedia.Evaluation;

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
    /// Parses <c>--unseen</c>: <c>random:FRACTION[:SEED]</c> (see <see cref="Random"/>; the seed
    /// defaults to <paramref name="seed"/>) or an explicit comma-separated list of unseen classes,
    /// each a zero-based index or a class name.
    /// </summary>
    public static ClassSplit Parse(string unseenList, IReadOnlyList<string> classNames, int seed = 1)
    {
        if (unseenList.StartsWith("random:", StringComparison.OrdinalIgnoreCase))
            return ParseRandom(unseenList, classNames, seed);
        var unseen = new List<int>();
        foreach (var raw in unseenList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int index = int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i)
                ? i
                : classNames.ToList().FindIndex(n => string.Equals(n, raw, StringComparison.OrdinalIgnoreCase));
            if (index < 0 || index >= classNames.Count)
                throw new InputException("unseen", raw, $"a class index 0..{classNames.Count - 1} or one of {string.Join(", ", classNames)}", $"'{raw}'");
            unseen.Add(index);
        }
        var split = FromUnseen(unseen, classNames.Count);
        if (split.Unseen.Count == 0 || split.Seen.Count == 0)
            throw new InputException("unseen", "", "at least one seen and one unseen class", $"{split.Seen.Count} seen, {split.Unseen.Count} unseen");
        return split;
    }

    /// <summary>
    /// A seeded random split that spreads the unseen classes over class groups: a class's group is
    /// its name up to the first '/' (TuxPaint's "animals/birds" is in "animals"; a name without '/'
    /// is its own group). Each group's classes are shuffled, the groups are put in a random order,
    /// and classes are taken round-robin (every group's first class, then every group's second,
    /// ...) until round(<paramref name="fraction"/> × classes) are unseen (at least one, and at
    /// least one class stays seen). A plain random draw would let one big family (say mammals,
    /// birds and insects) make up the unseen set, which is easier than it looks and makes the
    /// random-ranking level high.
    /// </summary>
    public static ClassSplit Random(IReadOnlyList<string> classNames, double fraction, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classNames.Count, 2);
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "expected 0 < fraction < 1");
        var random = new SeededRandom(seed);
        var groups = Enumerable.Range(0, classNames.Count)
            .GroupBy(c => classNames[c].Split('/')[0], StringComparer.Ordinal)
            .Select(g => g.ToList())
            .ToList();
        foreach (var g in groups) random.Shuffle(g);
        random.Shuffle(groups);
        int count = Math.Clamp((int)Math.Round(fraction * classNames.Count, MidpointRounding.AwayFromZero), 1, classNames.Count - 1);
        var roundRobin = Enumerable.Range(0, groups.Max(g => g.Count))
            .SelectMany(rank => groups.Where(g => rank < g.Count).Select(g => g[rank]));
        return FromUnseen(roundRobin.Take(count), classNames.Count);
    }

    private static ClassSplit ParseRandom(string text, IReadOnlyList<string> classNames, int seed)
    {
        var parts = text.Split(':');
        const string Expected = "random:FRACTION or random:FRACTION:SEED with 0 < FRACTION < 1, e.g. random:0.25";
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        if (parts.Length is < 2 or > 3
            || !double.TryParse(parts[1], System.Globalization.NumberStyles.Float, culture, out var fraction) || !(fraction > 0 && fraction < 1)
            || (parts.Length == 3 && !int.TryParse(parts[2], System.Globalization.NumberStyles.AllowLeadingSign, culture, out seed)))
            throw new InputException("unseen", "", Expected, InputException.Excerpt(text));
        if (classNames.Count < 2)
            throw new InputException("unseen", "", "a dataset with at least two classes", $"{classNames.Count} class");
        return Random(classNames, fraction, seed);
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
