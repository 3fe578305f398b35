using System.CommandLine;
using CrossMedia.Training;

namespace CrossMedia.Cli.Training;

/// <summary>
/// Options several methods understand (one option object each, so the train command holds each name
/// once); a method applies its own default when the user gives none. Also the resume preparation
/// shared by the methods that checkpoint.
/// </summary>
internal static class SharedTrainOptions
{
    public static readonly Option<double?> LearningRate = new("--lr") { Description = "Learning rate (jfse: Adam, default 1e-4; fgcrossnet: SGD, default 0.001)." };
    public static readonly Option<int?> BatchSize = new("--batch-size") { Description = "Mini-batch size (jfse: default 64; fgcrossnet: items per medium in a step, default 16)." };
    public static readonly Option<int?> CheckpointEvery = new("--checkpoint-every") { Description = "Write a checkpoint to OUT/checkpoints every N epochs, 0 = never (jfse: default 10; fgcrossnet: default 1)." };
    public static readonly Option<string?> Resume = new("--resume") { Description = "Continue from the newest checkpoint of an earlier run's output folder DIR (its DIR/checkpoints), with the same options." };

    /// <summary>
    /// When --resume DIR is given: checks DIR/checkpoints has a checkpoint and copies it into
    /// <paramref name="checkpoints"/> (unless it is the same folder). Returns whether to resume.
    /// </summary>
    public static bool PrepareResume(ParseResult parse, string checkpoints)
    {
        if (parse.GetValue(Resume) is not { } from) return false;
        var source = Path.Combine(Path.GetFullPath(from), "checkpoints");
        if (new CheckpointStore(source).Latest() is null)
            throw new InputException("--resume", "checkpoint", $"a checkpoint under {source}", "none");
        if (!string.Equals(Path.GetFullPath(source), Path.GetFullPath(checkpoints), StringComparison.Ordinal))
        {
            Directory.CreateDirectory(checkpoints);
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(checkpoints, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }
        return true;
    }
}
