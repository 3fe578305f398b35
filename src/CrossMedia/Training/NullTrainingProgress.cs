namespace CrossMedia.Training;

/// <summary>A progress sink that ignores everything.</summary>
public sealed class NullTrainingProgress : ITrainingProgress
{
    public static readonly NullTrainingProgress Instance = new();
    public void Started(int startEpoch, int totalEpochs, int batchesPerEpoch, double? bestValidationMap) { }
    public void BatchCompleted(int epoch, int batch, int batchesPerEpoch) { }
    public void EpochCompleted(EpochRecord record, TimeSpan? eta) { }
    public void Message(string text) { }
}
