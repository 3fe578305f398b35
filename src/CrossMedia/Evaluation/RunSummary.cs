namespace CrossMedia.Evaluation;

/// <summary>
/// Mean and spread of the same figure over repeated runs (seeds) of one method on one dataset and
/// scenario, as papers report them. The standard deviation is the sample one (n − 1); null for a single run.
/// </summary>
/// <param name="Method">Method of the runs.</param>
/// <param name="Dataset">Dataset of the runs.</param>
/// <param name="Scenario">Scenario of the runs.</param>
/// <param name="Split">"val" or "test".</param>
/// <param name="Subset">"all", "seen", "unseen" or "gzsl".</param>
/// <param name="Query">Query medium, or "average" for the mean over the bi-modal directions.</param>
/// <param name="Gallery">Gallery medium, "all" for X→All, or "" for the average.</param>
/// <param name="Mean">Mean mAP over the runs.</param>
/// <param name="StandardDeviation">Sample standard deviation over the runs; null with one run.</param>
/// <param name="Seeds">The runs' seeds, in the order given.</param>
public sealed record SummaryRow(string Method, string Dataset, string Scenario, string Split, string Subset, string Query, string Gallery,
    double Mean, double? StandardDeviation, IReadOnlyList<int> Seeds);

public static class RunSummary
{
    /// <summary>
    /// One row per group (method, dataset, scenario) and figure (split, subset, direction), plus the
    /// average of the bi-modal directions per split and subset, computed per run and then summarised.
    /// A figure missing from some runs of a group is summarised over the runs that have it.
    /// </summary>
    public static List<SummaryRow> Summarize(IEnumerable<RunRecord> runs)
    {
        var rows = new List<SummaryRow>();
        foreach (var group in runs.GroupBy(r => (r.Method, r.Dataset, r.Scenario)))
        {
            var members = group.ToList();
            var figures = members
                .SelectMany(run => run.Results.Select(r => (Run: run, Key: (r.Split, r.Subset, r.Query, r.Gallery), r.Map)))
                .Concat(members.SelectMany(run => run.Results
                    .Where(r => r.Gallery != "all")
                    .GroupBy(r => (r.Split, r.Subset))
                    .Select(g => (Run: run, Key: (g.Key.Split, g.Key.Subset, Query: "average", Gallery: ""), Map: g.Average(r => r.Map)))));
            foreach (var figure in figures.GroupBy(f => f.Key))
            {
                var values = figure.Select(f => f.Map).ToArray();
                rows.Add(new SummaryRow(group.Key.Method, group.Key.Dataset, group.Key.Scenario, figure.Key.Split, figure.Key.Subset,
                    figure.Key.Query, figure.Key.Gallery, values.Average(), StandardDeviation(values), figure.Select(f => f.Run.Seed).ToArray()));
            }
        }
        return rows;
    }

    private static double? StandardDeviation(double[] values)
    {
        if (values.Length < 2) return null;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }
}
