namespace CrossMedia.Data;

/// <summary>
/// Carves validation items out of the training items, per class and seeded, so model selection
/// never looks at test data (evaluation protocol). Each class keeps round(fraction·n) of its n train
/// items as validation, at least one when n ≥ 2 and never all of them. Paired datasets get the
/// same rows in every medium. A dataset that already has validation items is returned unchanged.
/// </summary>
internal static class ValidationSplit
{
    public static Dataset Carve(Dataset dataset, double fraction, int seed)
    {
        if (double.IsNaN(fraction) || fraction < 0 || fraction >= 1)
            throw new InputException("val-fraction", "", "a fraction in [0, 1)", fraction.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (fraction == 0 || dataset.Media.Any(m => m.Splits.Contains(Split.Val))) return dataset;

        if (dataset.Paired)
        {
            var splits = CarveMedium(dataset.Media[0], dataset.ClassCount, fraction, seed);
            return dataset.With(dataset.Media.Select(m => m.WithSplits(splits)).ToArray());
        }
        // Unpaired media get independent draws (a different stream per medium).
        return dataset.With(dataset.Media.Select((m, i) => m.WithSplits(CarveMedium(m, dataset.ClassCount, fraction, seed + 7919 * (i + 1)))).ToArray());
    }

    private static Split[] CarveMedium(Medium medium, int classCount, double fraction, int seed)
    {
        var splits = (Split[])medium.Splits.Clone();
        var random = new SeededRandom(seed);
        for (int c = 0; c < classCount; c++)
        {
            var rows = Enumerable.Range(0, medium.Count).Where(i => medium.Splits[i] == Split.Train && medium.Labels[i] == c).ToList();
            if (rows.Count < 2) continue;
            int take = Math.Clamp((int)Math.Round(fraction * rows.Count, MidpointRounding.AwayFromZero), 1, rows.Count - 1);
            random.Shuffle(rows);
            foreach (var r in rows.Take(take)) splits[r] = Split.Val;
        }
        return splits;
    }
}
