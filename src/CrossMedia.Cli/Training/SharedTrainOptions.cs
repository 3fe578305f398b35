using System.CommandLine;

namespace CrossMedia.Cli.Training;

/// <summary>
/// Options several methods understand (one option object each, so the train command holds each name
/// once); a method applies its own default when the user gives none.
/// </summary>
internal static class SharedTrainOptions
{
    public static readonly Option<double?> LearningRate = new("--lr") { Description = "Learning rate (jfse: Adam, default 1e-4; fgcrossnet: SGD, default 0.001)." };
    public static readonly Option<int?> BatchSize = new("--batch-size") { Description = "Mini-batch size (jfse: default 64; fgcrossnet: items per medium in a step, default 16)." };
    public static readonly Option<int> Patience = new("--patience") { Description = "Stop after N validations without improvement, 0 = never (fgcrossnet: the whole run, stage 2 included).", DefaultValueFactory = _ => 0 };
    public static readonly Option<int?> CheckpointEvery = new("--checkpoint-every") { Description = "Write a checkpoint to OUT/checkpoints every N epochs, 0 = never (jfse: default 10; fgcrossnet: default 1)." };
    public static readonly Option<string?> Resume = new("--resume") { Description = "Continue from the newest checkpoint of an earlier run's output folder DIR (its DIR/checkpoints; DIR may be --out itself), with the same options." };
}
