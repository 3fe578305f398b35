using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Media;

/// <summary>Stacks decoded items into torch tensors for a network (call TorchRuntime.Initialize first).</summary>
internal static class MediaTensors
{
    /// <summary>Picture items (images, spectrograms) → [B, 3, H, W] float32 on the CPU.</summary>
    public static Tensor Pictures(IReadOnlyList<DecodedItem> items)
    {
        if (items.Count == 0) throw new ArgumentException("no items to stack");
        var (h, w) = (items[0].Height, items[0].Width);
        var data = new float[items.Count * 3 * h * w];
        for (int i = 0; i < items.Count; i++)
        {
            var px = items[i].Pixels ?? throw new ArgumentException($"item {items[i].Id} has no picture tensor (kind {items[i].Kind})");
            if (px.Length != 3 * h * w) throw new ArgumentException($"item {items[i].Id} is {items[i].Height}x{items[i].Width}, expected {h}x{w}");
            px.CopyTo(data, i * 3 * h * w);
        }
        return tensor(data, [items.Count, 3, h, w]);
    }

    /// <summary>
    /// Video items → all their frames as [F, 3, H, W] and, per frame, the position of its video in
    /// <paramref name="items"/>, so logits can be averaged per video (index_add / scatter by video).
    /// </summary>
    public static (Tensor Frames, long[] Video) VideoFrames(IReadOnlyList<DecodedItem> items)
    {
        if (items.Count == 0) throw new ArgumentException("no items to stack");
        var (h, w) = (items[0].Height, items[0].Width);
        int per = 3 * h * w;
        int total = items.Sum(i => i.Frames?.Count ?? throw new ArgumentException($"item {i.Id} has no frames (kind {i.Kind})"));
        var data = new float[total * per];
        var video = new long[total];
        int f = 0;
        for (int v = 0; v < items.Count; v++)
            foreach (var frame in items[v].Frames!)
            {
                if (frame.Length != per) throw new ArgumentException($"video {items[v].Id} has frames of another size");
                frame.CopyTo(data, f * per);
                video[f++] = v;
            }
        return (tensor(data, [total, 3, h, w]), video);
    }
}
