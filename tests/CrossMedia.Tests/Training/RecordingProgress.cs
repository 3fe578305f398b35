using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

/// <summary>Records every progress call; optionally cancels after a given epoch (to simulate an interrupted run).</summary>
internal sealed class RecordingProgress(CancellationTokenSource? cancelAfter = null, int cancelEpoch = 0) : ITrainingProgress
{
    public List<(int Start, int Total, int Batches)> Starts { get; } = [];
    public List<double?> BestAtStart { get; } = [];
    public List<EpochRecord> Epochs { get; } = [];
    public List<TimeSpan?> Etas { get; } = [];
    public List<string> Messages { get; } = [];
    public int Batches { get; private set; }
    /// <summary>The running losses of each batch that reported them.</summary>
    public List<IReadOnlyDictionary<string, double>> RunningLosses { get; } = [];
    public List<CrossMedia.Core.WorkProgress> Phases { get; } = [];

    public void Started(int startEpoch, int totalEpochs, int batchesPerEpoch, double? bestValidationMap) {
        Starts.Add((startEpoch, totalEpochs, batchesPerEpoch));
        BestAtStart.Add(bestValidationMap);
    }
    public void BatchCompleted(int epoch, int batch, int batchesPerEpoch) => Batches++;
    public void BatchCompleted(int epoch, int batch, int batchesPerEpoch, IReadOnlyDictionary<string, double> runningLosses)
    {
        Batches++;
        RunningLosses.Add(runningLosses);
    }
    public void Phase(CrossMedia.Core.WorkProgress progress) => Phases.Add(progress);
    public void EpochCompleted(EpochRecord record, TimeSpan? eta)
    {
        Epochs.Add(record);
        Etas.Add(eta);
        if (cancelAfter is not null && record.Epoch == cancelEpoch) cancelAfter.Cancel();
    }
    public void Message(string text) => Messages.Add(text);
}
