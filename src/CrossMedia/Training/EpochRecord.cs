using System.Text.Json.Serialization;

namespace CrossMedia.Training;

/// <summary>What one training epoch produced (one entry of history.json).</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Losses">Mean loss per named term over the epoch's batches.</param>
/// <param name="ValidationMap">Best validation mAP (mean over directions) over the post-processings, when evaluated this epoch.</param>
/// <param name="PostProcessing">The post-processing that achieved <paramref name="ValidationMap"/>.</param>
/// <param name="Seconds">Wall time of the epoch, training and evaluation.</param>
/// <param name="GrlLambda">Gradient-reversal coefficient used in the epoch.</param>
/// <param name="ValidationChance">The expected validation mAP of a random ranking (same directions), when evaluated.</param>
public sealed record EpochRecord(
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("losses")] IReadOnlyDictionary<string, double> Losses,
    [property: JsonPropertyName("validation_map")] double? ValidationMap,
    [property: JsonPropertyName("post_processing")] string? PostProcessing,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("grl_lambda")] double GrlLambda,
    [property: JsonPropertyName("validation_chance"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ValidationChance = null);
