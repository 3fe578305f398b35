namespace CrossMedia.Data;

/// <summary>
/// Checks a loaded dataset: empty media (no items, or features without columns), non-finite feature rows, paired media whose labels or
/// splits disagree (errors); classes without test or train items and media without test or train items
/// (warnings: fine for zero-shot training, fatal only where an evaluation needs them, see
/// <see cref="DatasetProblems.Require"/>). Counts of labels vs rows are enforced when a
/// <see cref="Medium"/> is built.
/// </summary>
public static class DatasetValidator
{
    public static DatasetProblems Check(Dataset dataset)
    {
        var problems = new List<DatasetProblem>();
        void Error(ProblemKind k, string where, string message) => problems.Add(new(ProblemSeverity.Error, k, where, message));
        void Warn(ProblemKind k, string where, string message) => problems.Add(new(ProblemSeverity.Warning, k, where, message));

        foreach (var m in dataset.Media)
        {
            if (m.Count == 0)
            {
                Error(ProblemKind.EmptyMedium, m.Name, "expected at least one item, found none");
                continue;
            }
            if (m.Features is { Cols: 0 } empty)
            {
                // Zero-width features pass every other check and only fail deep inside a model.
                Error(ProblemKind.EmptyMedium, m.Name, $"expected at least one feature column, found a {empty.Rows}×0 feature matrix");
                continue;
            }
            if (m.Features is { } f && f.FirstNonFiniteRow() is var bad and >= 0)
                Error(ProblemKind.NonFiniteValues, $"{m.Name} row {bad} (id {m.Ids[bad]})", "expected finite values, found NaN or infinity");

            var testCounts = Counts(m, Split.Test, dataset.ClassCount);
            var trainCounts = Counts(m, Split.Train, dataset.ClassCount);
            if (testCounts.Sum() == 0) Warn(ProblemKind.NoTestItems, m.Name, "expected test items, found none");
            else
            {
                var noTest = Enumerable.Range(0, dataset.ClassCount).Where(c => testCounts[c] == 0).Select(c => dataset.ClassNames[c]).ToArray();
                if (noTest.Length > 0)
                    Warn(ProblemKind.ClassWithoutTestItems, m.Name, $"expected test items in every class, found none for {string.Join(", ", noTest)}");
            }
            var noTrain = Enumerable.Range(0, dataset.ClassCount).Where(c => trainCounts[c] == 0).Select(c => dataset.ClassNames[c]).ToArray();
            if (trainCounts.Sum() == 0)
                Warn(ProblemKind.NoTrainItems, m.Name, "expected train items (a model learns from them; a medium only indexed may have none), found none");
            else if (noTrain.Length > 0)
                Warn(ProblemKind.ClassWithoutTrainItems, m.Name, $"expected train items in every class (unless zero-shot), found none for {string.Join(", ", noTrain)}");
        }

        if (dataset.ClassEmbeddings is { } e && e.FirstNonFiniteRow() is var badClass and >= 0)
            Error(ProblemKind.NonFiniteValues, $"class embedding of '{dataset.ClassNames[badClass]}'", "expected finite values, found NaN or infinity");

        if (dataset.Paired)
        {
            var first = dataset.Media[0];
            foreach (var m in dataset.Media.Skip(1))
            {
                int label = Enumerable.Range(0, m.Count).FirstOrDefault(i => m.Labels[i] != first.Labels[i], -1);
                if (label >= 0)
                    Error(ProblemKind.PairedMismatch, $"{m.Name} item {label}", $"expected label {first.Labels[label]} as in {first.Name} (paired), found {m.Labels[label]}");
                int split = Enumerable.Range(0, m.Count).FirstOrDefault(i => m.Splits[i] != first.Splits[i], -1);
                if (split >= 0)
                    Error(ProblemKind.PairedMismatch, $"{m.Name} item {split}", $"expected split {first.Splits[split].Name()} as in {first.Name} (paired), found {m.Splits[split].Name()}");
            }
        }
        return new DatasetProblems(dataset.Name, problems);
    }

    /// <summary>Items per class in one split of a medium.</summary>
    public static int[] Counts(Medium medium, Split split, int classCount)
    {
        var counts = new int[classCount];
        for (int i = 0; i < medium.Count; i++)
            if (medium.Splits[i] == split) counts[medium.Labels[i]]++;
        return counts;
    }
}
