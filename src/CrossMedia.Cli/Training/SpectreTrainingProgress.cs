using System.Globalization;
using CrossMedia.Core;
using CrossMedia.Training;
using Spectre.Console;

namespace CrossMedia.Cli.Training;

/// <summary>
/// Renders training progress through <see cref="ConsoleProgress"/>: named phases before training (FGCrossNet's
/// "decode"), then on a terminal a live bar over all epochs with the epoch's running losses, rate and time left;
/// in every case one kept line per epoch (losses, validation mAP, time, ETA), so the run can be scrolled back,
/// and lines that are never wrapped when the output is piped.
/// </summary>
internal sealed class SpectreTrainingProgress : ITrainingProgress
{
    private const string TrainPhase = "train";
    private readonly ConsoleProgress _output;
    private int _totalEpochs;
    private int _batchesPerEpoch;
    private double? _bestMap;
    private DateTime _lastShown;

    public SpectreTrainingProgress(IAnsiConsole console) => _output = new ConsoleProgress(console);

    public bool Interactive => _output.Interactive;

    /// <summary>Runs <paramref name="train"/> inside a live progress display when the console is interactive.</summary>
    public T Run<T>(Func<T> train) => _output.Run(train);

    public void Phase(WorkProgress progress) => _output.Report(progress);

    public void Started(int startEpoch, int totalEpochs, int batchesPerEpoch, double? bestValidationMap)
    {
        _totalEpochs = totalEpochs;
        _batchesPerEpoch = batchesPerEpoch;
        _bestMap = bestValidationMap;
        _output.Line($"training epochs {startEpoch}..{totalEpochs}, {batchesPerEpoch} batches each");
        if (_output.Interactive) Show(startEpoch - 1, 0, null);
    }

    public void BatchCompleted(int epoch, int batch, int batchesPerEpoch) => BatchCompleted(epoch, batch, batchesPerEpoch, null);

    public void BatchCompleted(int epoch, int batch, int batchesPerEpoch, IReadOnlyDictionary<string, double>? runningLosses)
    {
        // The bar is live on a terminal only; piped output gets the epoch's line. Redrawn at most 10 times a second.
        if (!_output.Interactive || (DateTime.UtcNow - _lastShown).TotalMilliseconds < 100 && batch < batchesPerEpoch) return;
        _lastShown = DateTime.UtcNow;
        Show(epoch - 1, batch, runningLosses, epoch);
    }

    public void EpochCompleted(EpochRecord record, TimeSpan? eta)
    {
        if (record.ValidationMap is { } m) _bestMap = Math.Max(_bestMap ?? double.MinValue, m);
        _output.Line(EpochLine(record, _totalEpochs, _bestMap, eta));
    }

    public void Message(string text) => _output.Line(text);

    /// <summary>The kept line of one epoch: every loss, the validation mAP when evaluated, the epoch's time and the ETA.</summary>
    internal static string EpochLine(EpochRecord record, int totalEpochs, double? bestMap, TimeSpan? eta)
    {
        var parts = new List<string> { $"epoch {record.Epoch}/{totalEpochs}", Losses(record.Losses) };
        if (record.ValidationMap is { } v)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"val mAP {v:F4} ({record.PostProcessing}), best {bestMap:F4}"));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{record.Seconds:F1} s"));
        parts.Add($"eta {(eta is { } e ? ConsoleProgress.Clock(e) : "?")}");
        return string.Join(" | ", parts.Where(p => p.Length > 0));
    }

    private static string Losses(IReadOnlyDictionary<string, double>? losses) => losses is null ? ""
        : string.Join(" ", losses.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F4}")));

    /// <summary>The live bar: batches over the whole run, named by the epoch, followed by its running losses.</summary>
    private void Show(int epochsDone, int batch, IReadOnlyDictionary<string, double>? losses, int? epoch = null) =>
        _output.Report(new WorkProgress(TrainPhase, (long)epochsDone * _batchesPerEpoch + batch, (long)_totalEpochs * _batchesPerEpoch, "batches"),
            $"{TrainPhase} epoch {epoch ?? epochsDone + 1}/{_totalEpochs}", Losses(losses));
}
