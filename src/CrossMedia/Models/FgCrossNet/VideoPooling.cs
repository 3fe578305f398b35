using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.FgCrossNet;

/// <summary>
/// Frame logits → one row per video, grouped by explicit video id (any number of frames per
/// video, frames in any order) — the reference instead assumed 25 consecutive frames per video.
/// </summary>
internal static class VideoPooling
{
    /// <summary>
    /// Averages the rows of <paramref name="frameLogits"/> [F, C] that share a video id.
    /// Returns the averages [V, C] and the ids in order of first appearance.
    /// </summary>
    public static (Tensor Logits, string[] VideoIds) AverageByVideo(Tensor frameLogits, IReadOnlyList<string> videoIds)
    {
        if (frameLogits.ndim != 2 || frameLogits.shape[0] != videoIds.Count)
            throw new ArgumentException($"expected logits [{videoIds.Count}, C] for {videoIds.Count} video ids, got [{string.Join(", ", frameLogits.shape)}]", nameof(frameLogits));
        var order = new Dictionary<string, long>(StringComparer.Ordinal);
        var ids = new List<string>();
        var group = new long[videoIds.Count];
        for (var i = 0; i < videoIds.Count; i++)
        {
            if (!order.TryGetValue(videoIds[i], out var g))
            {
                order[videoIds[i]] = g = ids.Count;
                ids.Add(videoIds[i]);
            }
            group[i] = g;
        }
        using var scope = NewDisposeScope();
        var index = torch.tensor(group, device: frameLogits.device);
        var sums = torch.zeros([order.Count, frameLogits.shape[1]], frameLogits.dtype, frameLogits.device).index_add(0, index, frameLogits, TorchScalars.One);
        var counts = torch.zeros([order.Count], frameLogits.dtype, frameLogits.device).index_add(0, index, torch.ones([group.Length], frameLogits.dtype, frameLogits.device), TorchScalars.One);
        var mean = sums.div(counts.unsqueeze(1)).MoveToOuterDisposeScope();
        return (mean, ids.ToArray());
    }
}
