using CrossMedia.Models.Losses;

namespace CrossMedia.Training;

/// <summary>JFSE training settings. Defaults follow the spec (paper + reference code, with the fixes).</summary>
/// <param name="Epochs">Maximum number of epochs (500 in the paper).</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="CriticSteps">Critic (D) updates per generator/regressor/classifier update.</param>
/// <param name="LearningRate">Adam learning rate of every network.</param>
/// <param name="Beta1">Adam β1.</param>
/// <param name="Beta2">Adam β2.</param>
/// <param name="Hidden">Hidden width h of generators, critics and regressors.</param>
/// <param name="NoiseDimension">Generator noise dimension d_z.</param>
/// <param name="Alignment">Distribution alignment scheme between image and text embeddings.</param>
/// <param name="Weights">Loss weights (reference weighting by default).</param>
/// <param name="ZScore">Z-score each medium's embeddings with training statistics before cosine ranking.</param>
/// <param name="EvalEvery">Evaluate on the validation split every this many epochs (and after the last).</param>
/// <param name="Patience">Stop after this many validation evaluations without improvement; 0 = never stop early.</param>
/// <param name="CheckpointEvery">Write a checkpoint every this many epochs; 0 = no checkpoints.</param>
/// <param name="Seed">Seed of weight initialisation, batch order and noise.</param>
/// <param name="UnseenSamplesPerBatch">Unseen-class embeddings drawn per batch for zero-shot synthesis; 0 = the batch size.</param>
public sealed record JfseTrainingOptions(
    int Epochs = 500,
    int BatchSize = 64,
    int CriticSteps = 5,
    double LearningRate = 1e-4,
    double Beta1 = 0.5,
    double Beta2 = 0.999,
    int Hidden = 4096,
    int NoiseDimension = 300,
    AlignmentScheme Alignment = AlignmentScheme.Cmpm,
    JfseLossWeights? Weights = null,
    bool ZScore = true,
    int EvalEvery = 2,
    int Patience = 0,
    int CheckpointEvery = 0,
    int Seed = 0,
    int UnseenSamplesPerBatch = 0)
{
    public JfseLossWeights EffectiveWeights => Weights ?? JfseLossWeights.Reference;

    /// <summary>Throws <see cref="InputException"/> for settings that cannot work.</summary>
    public void Validate()
    {
        static void Positive(string name, double v) { if (!(v > 0)) throw new InputException("jfse", name, "a positive number", v.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        Positive("epochs", Epochs);
        Positive("batch-size", BatchSize);
        Positive("critic-steps", CriticSteps);
        Positive("learning rate", LearningRate);
        Positive("hidden", Hidden);
        Positive("noise dimension", NoiseDimension);
        Positive("eval-every", EvalEvery);
        if (Patience < 0) throw new InputException("jfse", "patience", "0 (off) or a positive number", Patience.ToString());
        if (!(Beta1 is >= 0 and < 1) || !(Beta2 is >= 0 and < 1))
            throw new InputException("jfse", "adam betas", "β1 and β2 in [0, 1)", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Beta1},{Beta2}"));
        if (UnseenSamplesPerBatch < 0) throw new InputException("jfse", "unseen-per-batch", "0 (the batch size) or a positive number", UnseenSamplesPerBatch.ToString());
        if (CheckpointEvery < 0) throw new InputException("jfse", "checkpoint-every", "0 (off) or a positive number", CheckpointEvery.ToString());
    }
}
