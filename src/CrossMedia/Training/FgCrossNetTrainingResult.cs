using CrossMedia.Models.FgCrossNet;

namespace CrossMedia.Training;

/// <summary>What an FGCrossNet training run returns.</summary>
/// <param name="Model">The network of the selected epoch.</param>
/// <param name="History">One record per epoch (including epochs before a resume); <c>grl_lambda</c> holds the learning rate, <c>post_processing</c> the stage.</param>
/// <param name="SelectedEpoch">Epoch chosen on validation mAP (the last without validation data).</param>
/// <param name="ValidationMap">Validation mAP (mean over the bi-modal directions) of the selection; NaN without validation data.</param>
/// <param name="PretrainedReport">What the pretrained weights provided (null when training from scratch).</param>
/// <param name="SkippedFiles">Files that could not be decoded, with the reason.</param>
/// <param name="StoppedEarly">True when patience ran out before the last epoch.</param>
public sealed record FgCrossNetTrainingResult(
    FgCrossNetModel Model,
    IReadOnlyList<EpochRecord> History,
    int SelectedEpoch,
    double ValidationMap,
    string? PretrainedReport,
    IReadOnlyList<string> SkippedFiles,
    bool StoppedEarly = false);
