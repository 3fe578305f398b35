using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Models.Cca;

namespace CrossMedia.Training;

/// <summary>
/// Fits CCA on the training pairs of two media and picks the regularisation and the correlation
/// weighting on validation pairs only (mean mAP over both directions); test data is never seen.
/// </summary>
public static class CcaTrainer
{
    /// <summary>The grid searched when the user fixes nothing: ridge × correlation power.</summary>
    public static readonly double[] RegularisationGrid = [1e-4, 1e-3, 1e-2, 1e-1, 1];
    public static readonly double[] PowerGrid = [0, 1];

    /// <summary>One candidate tried on validation.</summary>
    public sealed record Candidate(CcaConfig Config, double ValidationMap);

    public sealed record Result(CcaModel Model, IReadOnlyList<Candidate> Candidates);

    /// <param name="trainingSet">Train and val items only (see <see cref="ScenarioData.TrainingSet"/>).</param>
    /// <param name="media">The two media to couple; null = the dataset's first two.</param>
    /// <param name="fixedConfig">Skip the search and use this configuration.</param>
    public static Result Fit(Dataset trainingSet, (string A, string B)? media, RetrievalOptions options, CcaConfig? fixedConfig = null)
    {
        if (!trainingSet.Paired)
            throw new InputException(trainingSet.Name, "paired", "a paired dataset (item i of each medium is one object) for CCA", "unpaired media");
        var (nameA, nameB) = media ?? (trainingSet.Media.Count >= 2
            ? (trainingSet.Media[0].Name, trainingSet.Media[1].Name)
            : throw new InputException(trainingSet.Name, "media", "two media for CCA", trainingSet.Media.Count.ToString()));
        var a = trainingSet[nameA];
        var b = trainingSet[nameB];
        if (a.Features is null || b.Features is null)
            throw new InputException(trainingSet.Name, "media", "feature vectors for CCA (use fgcrossnet for raw media files)", "media files");
        var train = a.RowsOf(Split.Train);
        var trainA = a.Features.SelectRows(train);
        var trainB = b.Features.SelectRows(train);
        var encoders = (a.Encoder, b.Encoder);

        var candidates = new List<Candidate>();
        if (fixedConfig is not null || a.RowsOf(Split.Val).Length == 0)
            return new Result(CcaModel.Fit(nameA, trainA, nameB, trainB, fixedConfig ?? new CcaConfig(), encoders), candidates);

        var val = trainingSet.With([a, b]).Select(Split.Val);
        CcaModel? best = null;
        double bestMap = double.NegativeInfinity;
        foreach (var reg in RegularisationGrid)
            foreach (var power in PowerGrid)
            {
                var config = new CcaConfig(reg, 0, power);
                var model = CcaModel.Fit(nameA, trainA, nameB, trainB, config, encoders);
                var rows = ScenarioEvaluation.Evaluate(model, val, Split.Val, Scenario.Standard, null, options);
                var map = rows.Average(r => r.Map);
                candidates.Add(new Candidate(config, map));
                if (map > bestMap) { bestMap = map; best = model; }
            }
        return new Result(best!, candidates);
    }
}
