using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.Weights;

/// <summary>
/// Copies named tensors into a module's parameters and buffers by state-dict key. Tensors whose
/// shape differs are skipped with the reason; keys under <c>classifierPrefix</c> get a clearer
/// reason (the usual case: ImageNet's 1,000-class head into a model with another class count).
/// </summary>
internal static class StateDictLoader
{
    /// <summary>BatchNorm's step counter: informative only, so never reported missing.</summary>
    private const string BatchCounter = "num_batches_tracked";

    public static WeightLoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string? classifierPrefix = null)
    {
        var targets = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in module.named_parameters()) targets[name] = p;
        foreach (var (name, b) in module.named_buffers()) targets[name] = b;

        var loaded = new List<string>();
        var skipped = new List<SkippedTensor>();
        using (torch.no_grad())
        using (NewDisposeScope()) // frees the dtype/device conversions; parameters live outside it
        {
            foreach (var (name, source) in tensors)
            {
                if (!targets.TryGetValue(name, out var target))
                {
                    skipped.Add(new SkippedTensor(name, "not in the model"));
                    continue;
                }
                if (!source.shape.SequenceEqual(target.shape))
                {
                    var isClassifier = classifierPrefix is not null && name.StartsWith(classifierPrefix + ".", StringComparison.Ordinal);
                    skipped.Add(new SkippedTensor(name, isClassifier
                        ? $"classifier for {source.shape[0]} classes, model has {target.shape[0]}"
                        : $"shape [{string.Join(", ", source.shape)}] in the file, [{string.Join(", ", target.shape)}] in the model"));
                    continue;
                }
                target.copy_(source.to(target.dtype, target.device));
                loaded.Add(name);
            }
        }
        var loadedSet = loaded.ToHashSet(StringComparer.Ordinal);
        var missing = targets.Keys
            .Where(k => !loadedSet.Contains(k) && !k.EndsWith(BatchCounter, StringComparison.Ordinal))
            .ToList();
        return new WeightLoadReport(loaded, skipped, missing);
    }
}
