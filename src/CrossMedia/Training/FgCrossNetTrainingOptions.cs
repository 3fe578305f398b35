using System.Globalization;

namespace CrossMedia.Training;

/// <summary>How FGCrossNet is trained (docs/methods/fgcrossnet.md; defaults are the paper's except the epoch counts).</summary>
public sealed record FgCrossNetTrainingOptions
{
    /// <summary>Stage 1 epochs: cross-entropy + center loss.</summary>
    public int Stage1Epochs { get; init; } = 25;
    /// <summary>Stage 2 epochs (from the stage-1 selected weights): adds the quadruplet ranking loss.</summary>
    public int Stage2Epochs { get; init; } = 25;
    /// <summary>Items per medium in one step (the step sees one batch of every medium).</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>SGD learning rate at the start of each stage.</summary>
    public double LearningRate { get; init; } = 0.001;
    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>The learning rate is multiplied by <see cref="DecayFactor"/> every this many epochs of a stage.</summary>
    public int DecayEvery { get; init; } = 3;
    /// <summary>Step-decay factor.</summary>
    public double DecayFactor { get; init; } = 0.5;
    /// <summary>Center-loss weight (the centres' gradient is scaled by its inverse).</summary>
    public double CenterWeight { get; init; } = 0.001;
    /// <summary>Quadruplet ranking-loss weight in stage 2.</summary>
    public double RankingWeight { get; init; } = 0.1;
    /// <summary>Parallel decoding workers.</summary>
    public int Workers { get; init; } = 2;
    /// <summary>Stop after this many epochs without a better validation mAP, stage 2 included; 0 = never stop early.</summary>
    public int Patience { get; init; }
    /// <summary>Write a checkpoint every this many epochs (0 = never; the last epoch is always written when on).</summary>
    public int CheckpointEvery { get; init; } = 1;
    /// <summary>Folder of the on-disk cache of decoded tensors (null = none).</summary>
    public string? DecodeCache { get; init; }
    /// <summary>Seed of initialisation, batch order and augmentation.</summary>
    public int Seed { get; init; } = 1;

    public int Epochs => Stage1Epochs + Stage2Epochs;

    public void Validate()
    {
        static void Check(bool ok, string field, string expected, object found)
        {
            if (!ok) throw new InputException("fgcrossnet", field, expected, Convert.ToString(found, CultureInfo.InvariantCulture) ?? "");
        }
        Check(Stage1Epochs >= 0 && Stage2Epochs >= 0 && Epochs > 0, "epochs", "stage epochs ≥ 0, at least one in total", $"{Stage1Epochs}+{Stage2Epochs}");
        Check(BatchSize >= 2, "batch-size", "at least 2", BatchSize);
        Check(LearningRate > 0, "lr", "a positive number", LearningRate);
        Check(Momentum >= 0 && Momentum < 1, "momentum", "in [0, 1)", Momentum);
        Check(DecayEvery >= 1, "decay-every", "at least 1", DecayEvery);
        Check(DecayFactor > 0 && DecayFactor <= 1, "decay factor", "in (0, 1]", DecayFactor);
        Check(CenterWeight > 0, "center weight", "a positive number", CenterWeight);
        Check(RankingWeight >= 0, "ranking weight", "0 or more", RankingWeight);
        Check(Workers >= 1, "workers", "at least 1", Workers);
        Check(Patience >= 0, "patience", "0 (off) or a positive number", Patience);
        Check(CheckpointEvery >= 0, "checkpoint-every", "0 (off) or a positive number", CheckpointEvery);
    }
}
