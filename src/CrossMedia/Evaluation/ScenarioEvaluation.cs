using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Media;
using CrossMedia.Models;

namespace CrossMedia.Evaluation;

/// <summary>
/// Evaluates any model the way the field reports a scenario: standard → <see cref="Subset.All"/>;
/// zero-shot → <see cref="Subset.Seen"/> and <see cref="Subset.Unseen"/> (query and gallery both restricted
/// to the subset's classes); generalized zero-shot → <see cref="Subset.Gzsl"/> (seen and unseen test items in one ranking).
/// Every ordered pair of media is a direction; X→All directions are added on request.
/// </summary>
public static class ScenarioEvaluation
{
    /// <param name="skipped">Receives each media file that could not be decoded; it is left out of the evaluation with its label.</param>
    public static List<ResultRow> Evaluate(IEmbeddingModel model, Dataset data, Split split, Scenario scenario,
        ClassSplit? classes, RetrievalOptions? options = null, bool includeAll = false, Action<MediaProblem>? skipped = null)
    {
        var known = model.Media.Select(s => s.Name).ToHashSet();
        var problems = new List<MediaProblem>();
        var embedded = data.Media
            .Where(m => known.Contains(m.Name))
            .Select(m => m.Select(split))
            .Where(m => m.Count > 0)
            .Select(m => model.EmbedDecodable(m, problems))
            .Select(e => new EmbeddedMedium(e.Kept.Name, e.Embeddings, e.Kept.Labels, e.Kept.LabelSets))
            .ToList();
        foreach (var p in problems) skipped?.Invoke(p);
        return EvaluateEmbedded(embedded, split, scenario, classes, options, includeAll);
    }

    /// <summary>The same, on embeddings computed by the caller (e.g. under several post-processings).</summary>
    public static List<ResultRow> EvaluateEmbedded(IReadOnlyList<EmbeddedMedium> media, Split split, Scenario scenario,
        ClassSplit? classes, RetrievalOptions? options = null, bool includeAll = false)
    {
        var rows = new List<ResultRow>();
        foreach (var (subset, keep) in Subsets(scenario, classes))
        {
            var restricted = media.Select(m => Restrict(m, keep)).Where(m => m.Labels.Length > 0).ToList();
            if (restricted.Count < 2) continue; // nothing to retrieve across (e.g. unseen classes in validation)
            foreach (var d in CrossMediaEvaluation.AllDirections(restricted, options, includeAll))
                rows.Add(new ResultRow(split, subset, d.Query, d.Gallery, d.Result.Map, d.Result.Queries, d.Result.QueriesWithoutRelevant,
                    double.IsNaN(d.Result.Chance) ? null : d.Result.Chance, d.Result.Degenerate, d.Result.AtChance));
        }
        return rows;
    }

    /// <summary>Mean mAP over the rows of one split and subset, counting bi-modal directions only.</summary>
    public static double Average(IEnumerable<ResultRow> rows, Split split, Subset subset) =>
        rows.Where(r => r.Split == split && r.Subset == subset && !r.ToAllMedia).Select(r => r.Map).DefaultIfEmpty(double.NaN).Average();

    private static IEnumerable<(Subset Subset, Func<int, bool> Keep)> Subsets(Scenario scenario, ClassSplit? classes)
    {
        switch (scenario)
        {
            case Scenario.Standard:
                yield return (Subset.All, _ => true);
                break;
            case Scenario.Zsl:
                var zs = classes ?? throw new ArgumentNullException(nameof(classes), "zero-shot evaluation needs a class split");
                yield return (Subset.Seen, zs.Seen.Contains);
                yield return (Subset.Unseen, zs.Unseen.Contains);
                break;
            default:
                yield return (Subset.Gzsl, _ => true);
                break;
        }
    }

    private static EmbeddedMedium Restrict(EmbeddedMedium m, Func<int, bool> keep)
    {
        var rows = Enumerable.Range(0, m.Labels.Length).Where(i => keep(m.Labels[i])).ToArray();
        if (rows.Length == m.Labels.Length) return m;
        return new EmbeddedMedium(m.Name, m.Embeddings.SelectRows(rows), rows.Select(i => m.Labels[i]).ToArray(),
            m.LabelSets is null ? null : rows.Select(i => m.LabelSets[i]).ToArray());
    }
}
