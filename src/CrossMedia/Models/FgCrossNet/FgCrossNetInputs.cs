using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Media;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Models.FgCrossNet;

/// <summary>Decoded media items → FGCrossNet logits and embeddings; shared by training and <see cref="FgCrossNetModel"/>.</summary>
internal static class FgCrossNetInputs
{
    /// <summary>
    /// Training input pictures [items, 3, S, S] of decoded items of one kind: texts through the text
    /// branch with the random padding prefix; one random frame per video (frames are training
    /// pictures, as in the reference). The trainer concatenates every medium's pictures into ONE
    /// backbone batch, and after each epoch re-estimates the running batch-norm statistics over such
    /// mixed batches, so evaluation normalises every medium as training did.
    /// </summary>
    public static Tensor TrainingPictures(FgCrossNetNetwork net, MediaKind kind, IReadOnlyList<DecodedItem> items, Device device, Random training)
    {
        switch (kind)
        {
            case MediaKind.Text:
                using (var codes = CharacterText.EncodeBatch(items.Select(i => i.Text!).ToArray(), net.InputSize, training))
                    return net.TextPictures(codes.to(device));
            case MediaKind.Video:
                var frames = items.Select(i => new DecodedItem
                {
                    Row = i.Row, Id = i.Id, Label = i.Label, Kind = MediaKind.Image, Path = i.Path,
                    Pixels = i.Frames![training.Next(i.Frames.Count)], Height = i.Height, Width = i.Width,
                }).ToArray();
                return MediaTensors.Pictures(frames).to(device);
            default:
                return MediaTensors.Pictures(items).to(device);
        }
    }

    /// <summary>Logits [items, classes] of decoded items of one kind (evaluation: a video's logits are the mean over all its frames, grouped by video).</summary>
    public static Tensor Logits(FgCrossNetNetwork net, MediaKind kind, IReadOnlyList<DecodedItem> items, Device device)
    {
        using var scope = NewDisposeScope();
        Tensor logits;
        switch (kind)
        {
            case MediaKind.Text:
                logits = net.EncodeText(CharacterText.EncodeBatch(items.Select(i => i.Text!).ToArray(), net.InputSize).to(device));
                break;
            case MediaKind.Video:
                var (all, video) = MediaTensors.VideoFrames(items);
                var frameLogits = net.EncodePictures(all.to(device));
                logits = VideoPooling.AverageByVideo(frameLogits, video.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()).Logits;
                break;
            default:
                logits = net.EncodePictures(MediaTensors.Pictures(items).to(device));
                break;
        }
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Softmax of the logits of each decoded item, one row per item in the given order, in eval mode
    /// without gradients. Only decoded items have rows: a file that failed to decode is never given
    /// a stand-in row (callers drop it with its label, or refuse the request).
    /// </summary>
    public static Matrix Embed(FgCrossNetNetwork net, MediaKind kind, IReadOnlyList<DecodedItem> items, Device device, int batchSize = FgCrossNetModel.BatchSize)
    {
        var result = new Matrix(items.Count, net.Classes);
        using (Evaluating(net))
        {
            for (int start = 0; start < items.Count; start += batchSize)
                EmbedBatch(net, kind, items.Skip(start).Take(batchSize).ToArray(), device, result, start);
        }
        return result;
    }

    /// <summary>Softmax of one batch's logits into rows <paramref name="row"/>.. of <paramref name="result"/> (the network in eval mode).</summary>
    internal static void EmbedBatch(FgCrossNetNetwork net, MediaKind kind, IReadOnlyList<DecodedItem> batch, Device device, Matrix result, int row)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        nn.functional.softmax(Logits(net, kind, batch, device), 1).CopyRowsTo(result, row);
    }

    /// <summary>The network in eval mode until disposed, then back in the mode it was in.</summary>
    internal static IDisposable Evaluating(FgCrossNetNetwork net)
    {
        bool wasTraining = net.training;
        net.eval();
        return new Restore(() => { if (wasTraining) net.train(); });
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>The kind of a file medium (from its name, else its first file's extension).</summary>
    public static MediaKind KindOf(Medium medium) => KindOf(medium.Name, medium.Files is { Count: > 0 } files ? files[0] : null);

    /// <summary>The kind of the medium named <paramref name="medium"/>: from its name, else from the extension of <paramref name="firstItem"/>.</summary>
    public static MediaKind KindOf(string medium, string? firstItem) =>
        MediaKinds.FromMediumName(medium)
        ?? (firstItem is not null ? MediaKinds.FromExtension(firstItem) : null)
        ?? throw new InputException(medium, "kind", "a medium named image/text/audio/video or files of a known type", "neither");

    /// <summary>Decodes the given rows (default all) with the decoder's parallel pipeline; skipped files are left out.
    /// <paramref name="progress"/> hears the number of items decoded so far, after each.</summary>
    public static List<DecodedItem> DecodeAll(MediaDecoder decoder, Medium medium, IReadOnlyList<int>? rows = null, CancellationToken cancel = default,
        IProgress<int>? progress = null)
    {
        var list = new List<DecodedItem>();
        foreach (var item in decoder.DecodeAsync(medium.ToMediaFiles(), rows, cancel).ToBlockingEnumerable(cancel))
        {
            list.Add(item);
            progress?.Report(list.Count);
        }
        return list;
    }
}
