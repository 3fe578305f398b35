using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Torch;

/// <summary>The one way a trainer copies a network's state (the best epoch's, the final model's).</summary>
internal static class ModuleState
{
    /// <summary>Copies parameters and buffers (e.g. batch-norm statistics) between modules of the same architecture.</summary>
    public static void Copy(nn.Module from, nn.Module to)
    {
        using var _ = no_grad();
        var source = from.state_dict();
        foreach (var (name, target) in to.state_dict()) target.copy_(source[name]);
    }
}
