using static TorchSharp.torch;

namespace CrossMedia.Models.Losses;

/// <summary>Dispatch from <see cref="AlignmentScheme"/> to the loss functions.</summary>
internal static class AlignmentLoss
{
    public static Tensor Compute(AlignmentScheme scheme, Tensor image, Tensor imageLabels, Tensor text, Tensor textLabels) => scheme switch
    {
        AlignmentScheme.Cmpm => CmpmLoss.Compute(image, imageLabels, text, textLabels),
        AlignmentScheme.Cmmd => CmmdLoss.Compute(image, text),
        AlignmentScheme.Cmca => CoralLoss.Compute(image, text),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };

    public static AlignmentScheme Parse(string text, string source = "alignment") => text.Trim().ToLowerInvariant() switch
    {
        "cmpm" => AlignmentScheme.Cmpm,
        "cmmd" => AlignmentScheme.Cmmd,
        "cmca" or "coral" => AlignmentScheme.Cmca,
        _ => throw new InputException(source, "alignment", "cmpm, cmmd or cmca", $"'{text}'"),
    };
}
