using CrossMedia.Core;
using CrossMedia.Data;

namespace CrossMedia.Evaluation;

/// <summary>
/// Mean and spread of the same figure over repeated runs (seeds) of one method with one configuration
/// on one dataset and scenario, as papers report them. The standard deviation is the sample one (n − 1);
/// null for a single run.
/// </summary>
/// <param name="Method">Method of the runs.</param>
/// <param name="Variant">What sets these runs' configuration apart from other runs of the method on the same
/// dataset and scenario ("name=value, ..."; "–" for a setting the runs do not record); "" when there are none.</param>
/// <param name="Dataset">Dataset of the runs.</param>
/// <param name="Scenario">Scenario of the runs.</param>
/// <param name="Split">Validation or test.</param>
/// <param name="Subset">Which classes were ranked.</param>
/// <param name="Query">Query medium, or <see cref="AverageQuery"/> for the mean over the bi-modal directions (<see cref="IsAverage"/>).</param>
/// <param name="Gallery">Gallery medium, <see cref="DirectionResult.AllMedia"/> for X→All, or "" for the average.</param>
/// <param name="Mean">Mean mAP over the runs.</param>
/// <param name="StandardDeviation">Sample standard deviation over the runs; null with one run.</param>
/// <param name="Seeds">The runs' seeds, in the order given.</param>
/// <param name="Chance">Mean chance level over the runs (<see cref="ResultRow.Chance"/>); null when some run does not record it.</param>
/// <param name="AtChance">How many of the runs are at chance or degenerate (<see cref="ResultRow.Note"/>): their figure is no result.</param>
public sealed record SummaryRow(string Method, string Variant, string Dataset, string Scenario, Split Split, Subset Subset, string Query, string Gallery,
    double Mean, double? StandardDeviation, IReadOnlyList<int> Seeds, double? Chance = null, int AtChance = 0)
{
    /// <summary>The query name of the average over the bi-modal directions.</summary>
    public const string AverageQuery = "average";

    /// <summary>The row is the average over the bi-modal directions, not one direction.</summary>
    public bool IsAverage => Query == AverageQuery && Gallery.Length == 0;
}

public static class RunSummary
{
    /// <summary>
    /// Configuration entries that do not define a variant: the seed (what repeats vary), where and how fast
    /// a run executed, and CCA's validation-chosen values (outcomes, which may differ from seed to seed).
    /// </summary>
    private static bool DefinesVariant(string key)
    {
        var leaf = key[(key.LastIndexOf('.') + 1)..];
        return leaf is not ("seed" or "threads" or "device" or "workers" or "decode_cache" or "checkpoint_every") && !key.StartsWith("cca.", StringComparison.Ordinal);
    }

    /// <summary>
    /// One row per group (method, configuration, dataset, scenario) and figure (split, subset, direction),
    /// plus the average of the bi-modal directions per split and subset, computed per run and then
    /// summarised. Runs whose configurations differ are never averaged together. A figure missing from
    /// some runs of a group is summarised over the runs that have it.
    /// </summary>
    public static List<SummaryRow> Summarize(IEnumerable<RunRecord> runs)
    {
        var settings = runs.Select(r => (Run: r, Settings: new SortedDictionary<string, string>(
            JsonLeaves.Flatten(r.Config).Where(kv => DefinesVariant(kv.Key)).ToDictionary(), StringComparer.Ordinal))).ToList();
        var rows = new List<SummaryRow>();
        foreach (var method in settings.GroupBy(s => (s.Run.Method, s.Run.Dataset, s.Run.Scenario)))
        {
            var groups = method.GroupBy(s => string.Join("\n", s.Settings.Select(kv => $"{kv.Key}={kv.Value}")))
                .Select(g => (Runs: g.Select(s => s.Run).ToList(), g.First().Settings)).ToList();
            // The keys whose values differ between this method's groups name the variants.
            var differing = groups.SelectMany(g => g.Settings.Keys).Distinct().Order(StringComparer.Ordinal)
                .Where(k => groups.Select(g => g.Settings.GetValueOrDefault(k)).Distinct().Count() > 1).ToList();
            foreach (var group in groups)
            {
                var variant = string.Join(", ", differing.Select(k => $"{ShortName(k, method.Key.Method)}={group.Settings.GetValueOrDefault(k) ?? "–"}"));
                rows.AddRange(Figures(group.Runs, method.Key, variant));
            }
        }
        return rows;
    }

    /// <summary>A configuration key without its method prefix ("jfse.weights.x" → "weights.x").</summary>
    private static string ShortName(string key, string method) =>
        key.StartsWith(method + ".", StringComparison.Ordinal) ? key[(method.Length + 1)..] : key;

    private static IEnumerable<SummaryRow> Figures(List<RunRecord> members, (string Method, string Dataset, string Scenario) key, string variant)
    {
        var figures = members
            .SelectMany(run => run.Results.Select(r => (Run: run, Key: (r.Split, r.Subset, r.Query, r.Gallery), r.Map, r.Chance, Flagged: r.Note is not null)))
            .Concat(members.SelectMany(run => run.Results
                .Where(r => !r.ToAllMedia)
                .GroupBy(r => (r.Split, r.Subset))
                .Select(g => (Run: run, Key: (g.Key.Split, g.Key.Subset, Query: SummaryRow.AverageQuery, Gallery: ""), Map: g.Average(r => r.Map),
                    Chance: g.All(r => r.Chance is not null) ? g.Average(r => r.Chance) : null, Flagged: false))));
        foreach (var figure in figures.GroupBy(f => f.Key))
        {
            var values = figure.Select(f => f.Map).ToArray();
            double? chance = figure.All(f => f.Chance is not null) ? figure.Average(f => f.Chance) : null;
            yield return new SummaryRow(key.Method, variant, key.Dataset, key.Scenario, figure.Key.Split, figure.Key.Subset,
                figure.Key.Query, figure.Key.Gallery, values.Average(), StandardDeviation(values), figure.Select(f => f.Run.Seed).ToArray(),
                chance, figure.Count(f => f.Flagged));
        }
    }

    private static double? StandardDeviation(double[] values)
    {
        if (values.Length < 2) return null;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }
}
