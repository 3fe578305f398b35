using System.CommandLine;
using System.Globalization;
using CrossMedia.Models.Losses;
using CrossMedia.Training;

namespace CrossMedia.Cli.Training;

/// <summary>`--method jfse`: joint feature synthesis and embedding (<see cref="JfseTrainer"/>).</summary>
internal sealed class JfseOptions : IMethodOptions
{
    private readonly Option<int> _epochs = new("--epochs") { Description = "Maximum epochs (paper: 500).", DefaultValueFactory = _ => 500 };
    private readonly Option<int> _hidden = new("--hidden") { Description = "Hidden width of generators, critics and regressors (paper: 4096).", DefaultValueFactory = _ => 4096 };
    private readonly Option<string> _alignment = new("--alignment") { Description = "Distribution alignment between media: cmpm (default), cmmd or cmca.", DefaultValueFactory = _ => "cmpm" };
    private readonly Option<int> _noise = new("--noise-dim") { Description = "Dimension of the generators' noise input z (paper: 300).", DefaultValueFactory = _ => 300 };
    private readonly Option<string> _betas = new("--adam-betas") { Description = "Adam β1,β2 of every network (paper: 0.5,0.999).", DefaultValueFactory = _ => "0.5,0.999" };
    private readonly Option<int> _unseenPerBatch = new("--unseen-per-batch") { Description = "zsl/gzsl: unseen-class embeddings drawn per batch for feature synthesis (0 = the batch size).", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _critic = new("--critic-steps") { Description = "Critic updates per generator/regressor/classifier update.", DefaultValueFactory = _ => 5 };
    private readonly Option<int> _evalEvery = new("--eval-every") { Description = "Evaluate on validation every N epochs (and after the last).", DefaultValueFactory = _ => 2 };
    private readonly Option<bool> _zScore = new("--zscore") { Description = "Z-score each medium's embeddings with training statistics before ranking (reference behaviour).", DefaultValueFactory = _ => true };
    private readonly Option<string?> _weights = new("--loss-weights") { Description = "Override loss weights, e.g. regressor_cycle_synthetic=1,regressor_alignment_real=0.01 (names as in metrics.json config.jfse.weights; default: the reference weighting)." };
    private readonly Option<bool> _reportTestSelected = new("--report-test-selected") { Description = "Also print the reference protocol's TEST-selected mAP (best epoch and post-processing chosen on test; not a valid estimate, labelled as such)." };

    public string Name => "jfse";
    public IReadOnlyList<Option> Options => [_epochs, _hidden, _noise, _alignment, _unseenPerBatch, _betas, SharedTrainOptions.BatchSize, _critic, SharedTrainOptions.LearningRate, _evalEvery, SharedTrainOptions.Patience, SharedTrainOptions.CheckpointEvery, SharedTrainOptions.Resume, _zScore, _weights, _reportTestSelected];

    public TrainingMethod Read(ParseResult p)
    {
        var (beta1, beta2) = ParseBetas(p.GetValue(_betas)!);
        return new JfseMethod(new JfseTrainingOptions(
            Epochs: p.GetValue(_epochs),
            BatchSize: p.GetValue(SharedTrainOptions.BatchSize) ?? 64,
            CriticSteps: p.GetValue(_critic),
            LearningRate: p.GetValue(SharedTrainOptions.LearningRate) ?? 1e-4,
            Beta1: beta1,
            Beta2: beta2,
            Hidden: p.GetValue(_hidden),
            NoiseDimension: p.GetValue(_noise),
            UnseenSamplesPerBatch: p.GetValue(_unseenPerBatch),
            Alignment: AlignmentLoss.Parse(p.GetValue(_alignment)!),
            ZScore: p.GetValue(_zScore),
            EvalEvery: p.GetValue(_evalEvery),
            Patience: p.GetValue(SharedTrainOptions.Patience),
            CheckpointEvery: p.GetValue(SharedTrainOptions.CheckpointEvery) ?? 10,
            Weights: JfseLossWeights.Parse(p.GetValue(_weights))), p.GetValue(_reportTestSelected));
    }

    private static (double, double) ParseBetas(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var b1)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b2))
            return (b1, b2);
        throw new InputException("--adam-betas", "", "two numbers separated by a comma, e.g. 0.5,0.999", $"'{text}'");
    }
}
