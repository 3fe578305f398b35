namespace CrossMedia.Training;

/// <summary>
/// Where a trainer reports what it is doing. The library never writes to the console: the CLI
/// renders these calls live, tests record them.
/// </summary>
public interface ITrainingProgress
{
    /// <summary>
    /// Training starts (or resumes) at <paramref name="startEpoch"/> (1-based) of <paramref name="totalEpochs"/>;
    /// <paramref name="bestValidationMap"/> is the best validation mAP of the epochs before it (a resumed run), else null.
    /// </summary>
    void Started(int startEpoch, int totalEpochs, int batchesPerEpoch, double? bestValidationMap);

    /// <summary>One mini-batch of <paramref name="epoch"/> finished.</summary>
    void BatchCompleted(int epoch, int batch, int batchesPerEpoch);

    /// <summary>
    /// One mini-batch of <paramref name="epoch"/> finished, with the mean of each loss over the epoch's batches so far
    /// (what a live display shows); by default the same as the call without losses.
    /// </summary>
    void BatchCompleted(int epoch, int batch, int batchesPerEpoch, IReadOnlyDictionary<string, double> runningLosses) =>
        BatchCompleted(epoch, batch, batchesPerEpoch);

    /// <summary>Work before or between the epochs (decoding the media, say) has come this far; ignored by default.</summary>
    void Phase(Core.WorkProgress progress) { }

    /// <summary>An epoch finished; <paramref name="eta"/> estimates the time left (null when unknown).</summary>
    void EpochCompleted(EpochRecord record, TimeSpan? eta);

    /// <summary>A notable event (checkpoint written, early stop, resumed), one line of text.</summary>
    void Message(string text);
}
