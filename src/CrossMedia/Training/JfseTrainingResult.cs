using CrossMedia.Models.Jfse;

namespace CrossMedia.Training;

/// <summary>What a JFSE training run returns.</summary>
/// <param name="Model">The model at the selected epoch with the selected post-processing.</param>
/// <param name="History">One record per epoch run (including epochs before a resume).</param>
/// <param name="SelectedEpoch">Epoch chosen on validation mAP (the last epoch when there is no validation data).</param>
/// <param name="SelectedPostProcessing">Post-processing chosen on validation mAP.</param>
/// <param name="ValidationMap">Validation mAP of the selection (NaN without validation data).</param>
/// <param name="EpochsRun">Epochs trained in total.</param>
/// <param name="StoppedEarly">True when patience ran out before the last epoch.</param>
/// <param name="TestSelectedMap">Only when a test probe was given: the best test mAP over every evaluated epoch and
/// post-processing — the reference code's test-set selection, NOT a valid estimate; report it labelled as such.</param>
public sealed record JfseTrainingResult(
    JfseModel Model,
    IReadOnlyList<EpochRecord> History,
    int SelectedEpoch,
    EmbeddingPostProcessing SelectedPostProcessing,
    double ValidationMap,
    int EpochsRun,
    bool StoppedEarly,
    double? TestSelectedMap);
