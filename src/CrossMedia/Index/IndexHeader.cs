using CrossMedia.Core;
using CrossMedia.Models;

namespace CrossMedia.Index;

/// <summary>What an index file says about itself (everything before the per-item records).</summary>
/// <param name="Method">Method of the model that made the vectors (model.json's "method").</param>
/// <param name="ModelSha256">Identity of the model directory (<see cref="ModelIdentity"/>); empty when unknown.</param>
/// <param name="Dimension">Vector dimension (the model's common space).</param>
/// <param name="Metric">Comparison; cosine indexes hold unit vectors.</param>
/// <param name="Media">Medium names; items refer to them by position.</param>
/// <param name="ClassNames">Class names that item labels index; may be empty.</param>
/// <param name="Encoders">Medium → the pretrained encoder that feeds the model's branch of it (e.g. text → minilm),
/// as the model records it; empty when the model reads raw files or does not say.</param>
public sealed record IndexHeader(string Method, string ModelSha256, int Dimension, Metric Metric,
    IReadOnlyList<string> Media, IReadOnlyList<string> ClassNames, IReadOnlyDictionary<string, string>? Encoders = null)
{
    public IReadOnlyDictionary<string, string> Encoders { get; init; } = Encoders ?? new Dictionary<string, string>();

    /// <summary>The encoders a model records for its media (<see cref="MediumSpec.Encoder"/>).</summary>
    public static IReadOnlyDictionary<string, string> EncodersOf(IEmbeddingModel model) =>
        model.Media.Where(s => s.Encoder is not null).ToDictionary(s => s.Name, s => s.Encoder!);
}
