using CrossMedia.Training;
using Spectre.Console;

namespace CrossMedia.Cli.Training;

/// <summary>
/// Renders training progress: a live Spectre.Console progress bar (epoch, latest losses, validation
/// mAP, ETA) on an interactive terminal; one plain line per evaluated epoch otherwise (logs, tests).
/// </summary>
internal sealed class SpectreTrainingProgress : ITrainingProgress
{
    private readonly IAnsiConsole console;
    private ProgressTask? task;
    private int totalEpochs;
    private double? bestMap;

    public SpectreTrainingProgress(IAnsiConsole console) => this.console = console;

    public bool Interactive => console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;

    /// <summary>Runs <paramref name="train"/> inside a live progress display when the console is interactive.</summary>
    public T Run<T>(Func<T> train)
    {
        if (!Interactive) return train();
        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                task = ctx.AddTask("jfse", maxValue: 1);
                return train();
            });
    }

    public void Started(int startEpoch, int totalEpochs, int batchesPerEpoch, double? bestValidationMap)
    {
        this.totalEpochs = totalEpochs;
        bestMap = bestValidationMap;
        if (task is not null)
        {
            task.MaxValue = (double)totalEpochs * batchesPerEpoch;
            task.Value = (double)(startEpoch - 1) * batchesPerEpoch;
            task.Description = $"epoch {startEpoch}/{totalEpochs}";
        }
        else console.MarkupLine($"[grey]training epochs {startEpoch}..{totalEpochs}, {batchesPerEpoch} batches each[/]");
    }

    public void BatchCompleted(int epoch, int batch, int batchesPerEpoch)
    {
        if (task is not null) task.Value = (double)(epoch - 1) * batchesPerEpoch + batch;
    }

    public void EpochCompleted(EpochRecord record, TimeSpan? eta)
    {
        if (record.ValidationMap is { } m) bestMap = Math.Max(bestMap ?? double.MinValue, m);
        var losses = string.Join(" ", record.Losses.Select(kv => $"{kv.Key} {kv.Value:F3}"));
        var val = record.ValidationMap is { } v ? $"val mAP {v:F4} ({record.PostProcessing}), best {bestMap:F4}" : "";
        if (task is not null)
            task.Description = Markup.Escape($"epoch {record.Epoch}/{totalEpochs} {val}");
        else if (record.ValidationMap.HasValue || record.Epoch == totalEpochs)
            console.WriteLine($"epoch {record.Epoch}/{totalEpochs} {losses} {val} eta {eta?.ToString(@"hh\:mm\:ss") ?? "?"}");
    }

    public void Message(string text)
    {
        if (task is not null) console.MarkupLine($"[grey]{Markup.Escape(text)}[/]");
        else console.WriteLine(text);
    }
}
