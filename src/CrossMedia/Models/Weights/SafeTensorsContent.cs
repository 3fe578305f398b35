using static TorchSharp.torch;

namespace CrossMedia.Models.Weights;

/// <summary>The tensors of one safetensors file and its free-form metadata; disposing frees the tensors.</summary>
/// <param name="Tensors">Name → CPU tensor (float32, or int64 for I64 entries).</param>
/// <param name="Metadata">The optional <c>__metadata__</c> string map (empty when absent).</param>
public sealed record SafeTensorsContent(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) : IDisposable
{
    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}
