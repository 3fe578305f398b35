using System.Globalization;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Models.Cca;

namespace CrossMedia.Training;

/// <summary>
/// What <see cref="CcaTrainer"/> searches: a null setting is chosen on validation, a set one is fixed.
/// </summary>
/// <param name="Regularisation">Relative ridge; null = chosen from <paramref name="RegularisationGrid"/>.</param>
/// <param name="Dimensions">Canonical dimensions (0 = all); null = chosen from 1, 2, 4, … and the full rank.</param>
/// <param name="CorrelationPower">Weighting of the dimensions by their correlation; null = chosen from 0 and 1.</param>
/// <param name="Input">
/// Input normalisation. L2 by default: it had the best validation mAP on Wikipedia (seeds 1–5: l2
/// .260, none .258, zscore .256; on test zscore was .005 ahead, within the spread) and on frozen
/// ResNet-18 / MiniLM TuxPaint features (l2 .585 = none, whose vectors are unit length already;
/// zscore .568), and retrieval ranks by direction (cosine), which L2 makes the only thing CCA sees.
/// docs/results-cca.md.
/// </param>
/// <param name="RegularisationGrid">The ridge grid; null = <see cref="CcaTrainer.RegularisationGrid"/>.</param>
public sealed record CcaSearch(
    double? Regularisation = null,
    int? Dimensions = null,
    double? CorrelationPower = null,
    CcaInput Input = CcaInput.L2,
    IReadOnlyList<double>? RegularisationGrid = null);

/// <summary>
/// Fits CCA on the training pairs of two media (multi-set CCA for more) and chooses the ridge, the
/// correlation weighting and then the number of dimensions on validation pairs only, by the mean mAP
/// over every direction between two media that the evaluation reports; test data is never seen. Each ridge costs one SVD (<see cref="CcaSolver"/>);
/// dimensions and weighting are slices of it.
/// </summary>
public static class CcaTrainer
{
    /// <summary>
    /// Relative ridges 1e-8 … 1e4 in half decades: from practically unregularised CCA to practically
    /// PLS (the ridge swamps every eigenvalue even of a rank-one covariance of a few thousand dimensions).
    /// </summary>
    public static readonly double[] RegularisationGrid = Enumerable.Range(0, 25).Select(i => Math.Pow(10, -8 + i / 2.0)).ToArray();
    public static readonly double[] PowerGrid = [0, 1];

    /// <summary>1, 2, 4, … below the rank, then the rank. Both ends are hard limits, so this grid never warns.</summary>
    public static int[] DimensionGrid(int rank) =>
        Enumerable.Range(0, 31).Select(i => 1 << i).TakeWhile(d => d < rank).Append(rank).ToArray();

    /// <summary>One candidate tried on validation.</summary>
    public sealed record Candidate(CcaConfig Config, double ValidationMap);

    /// <param name="Warnings">One line per searched setting whose choice lies on an edge of a grid that could be wider.</param>
    public sealed record Result(CcaModel Model, IReadOnlyList<Candidate> Candidates, IReadOnlyList<string> Warnings);

    /// <param name="trainingSet">Train and val items only (see <see cref="ScenarioData.TrainingSet"/>).</param>
    /// <param name="media">The media to couple (two: CCA; more: multi-set CCA); null = every medium of feature vectors (<see cref="TrainingMedia.FeatureMedia"/>).</param>
    /// <param name="search">Settings to fix or search; null = search all, L2 input.</param>
    public static Result Fit(Dataset trainingSet, IReadOnlyList<string>? media, RetrievalOptions options, CcaSearch? search = null)
    {
        search ??= new CcaSearch();
        if (!trainingSet.Paired)
            throw new InputException(trainingSet.Name, "paired", "a paired dataset (item i of each medium is one object) for CCA; the media setting can pick media whose items pair up", "unpaired media");
        var chosen = TrainingMedia.FeatureMedia(trainingSet, media, "cca").Select(n => trainingSet[n]).ToArray();
        var encoders = chosen.Select(m => m.Encoder).ToArray();
        var train = chosen[0].RowsOf(Split.Train);
        using var solver = new CcaSolver(chosen.Select(m => (m.Name, m.Features!.SelectRows(train))).ToArray(), search.Input);

        var candidates = new List<Candidate>();
        if (chosen[0].RowsOf(Split.Val).Length == 0)
        {
            var defaults = new CcaConfig();
            var model = solver.Solve(search.Regularisation ?? defaults.Regularisation)
                .Model(search.Dimensions ?? defaults.Dimensions, search.CorrelationPower ?? defaults.CorrelationPower);
            return new Result(model.WithEncoders(encoders), candidates, []);
        }

        var regs = search.Regularisation is { } r ? [r] : (search.RegularisationGrid ?? RegularisationGrid).Order().ToArray();
        int[] dims = search.Dimensions is { } d ? [d] : DimensionGrid(solver.Rank);
        double[] powers = search.CorrelationPower is { } p ? [p] : PowerGrid;
        var val = trainingSet.With(chosen).Select(Split.Val);
        CcaModel? best = null;
        CcaSolution? bestSolution = null;
        double bestMap = double.NegativeInfinity;
        void Try(CcaSolution solution, int k, double power)
        {
            var model = solution.Model(k, power);
            var map = ScenarioEvaluation.Evaluate(model, val, Split.Val, Scenario.Standard, null, options).Average(row => row.Map);
            candidates.Add(new Candidate(model.Config, map));
            if (map > bestMap) { bestMap = map; best = model; bestSolution = solution; }
        }
        // First ridge × weighting with every dimension (heaviest ridge first: a tie keeps the more
        // regularised model), then the dimensions for that pair: fewer candidates over-fit a small
        // validation split less than the joint grid did (Wikipedia, docs/results-cca.md).
        foreach (var reg in regs.Reverse())
        {
            var solution = solver.Solve(reg);
            foreach (var power in powers) Try(solution, dims[^1], power);
        }
        if (dims.Length > 1)
        {
            // The chosen ridge's solution again (not a second SVD): fewer dimensions are slices of it.
            var (solution, power) = (bestSolution!, best!.Config.CorrelationPower);
            foreach (var k in dims[..^1]) Try(solution, k, power);
        }
        var warnings = new List<string>();
        if (regs.Length > 1 && EdgeWarning("regularisation", regs, best!.Config.Regularisation) is { } w) warnings.Add(w);
        return new Result(best!.WithEncoders(encoders), candidates, warnings);
    }

    /// <summary>A warning when <paramref name="chosen"/> is the lowest or highest value of an ascending grid.</summary>
    private static string? EdgeWarning(string parameter, double[] grid, double chosen)
    {
        string edge = chosen == grid[0] ? "bottom" : chosen == grid[^1] ? "top" : "";
        if (edge == "") return null;
        var g = CultureInfo.InvariantCulture;
        return $"cca: the chosen {parameter} {chosen.ToString("g3", g)} is the {edge} edge of its validation grid " +
               $"{grid[0].ToString("g3", g)}..{grid[^1].ToString("g3", g)}; the best value may lie beyond it";
    }
}
