using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Media;
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
                    Row = i.Row, Id = i.Id, Label = i.Label, Split = i.Split, Kind = MediaKind.Image, Path = i.Path,
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
    public static Matrix Embed(FgCrossNetNetwork net, MediaKind kind, IReadOnlyList<DecodedItem> items, Device device, int batchSize = 32)
    {
        bool wasTraining = net.training;
        net.eval();
        int c = net.Classes;
        var result = new Matrix(items.Count, c);
        using (no_grad())
        {
            for (int start = 0; start < items.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var batch = items.Skip(start).Take(batchSize).ToArray();
                var p = nn.functional.softmax(Logits(net, kind, batch, device), 1).cpu().data<float>().ToArray();
                Array.Copy(p, 0, result.Data, start * c, batch.Length * c);
            }
        }
        if (wasTraining) net.train();
        return result;
    }

    /// <summary>The kind of a file medium (from its name, else its first file's extension).</summary>
    public static MediaKind KindOf(Medium medium) =>
        MediaKinds.FromMediumName(medium.Name)
        ?? (medium.Files is { Count: > 0 } files ? MediaKinds.FromExtension(files[0]) : null)
        ?? throw new InputException(medium.Name, "kind", "a medium named image/text/audio/video or files of a known type", "neither");

    /// <summary>Decodes the given rows (default all) with the decoder's parallel pipeline; skipped files are left out.</summary>
    public static List<DecodedItem> DecodeAll(MediaDecoder decoder, Medium medium, IReadOnlyList<int>? rows = null, CancellationToken cancel = default)
    {
        return Task.Run(async () =>
        {
            var list = new List<DecodedItem>();
            await foreach (var item in decoder.DecodeAsync(medium, rows, cancel).ConfigureAwait(false)) list.Add(item);
            return list;
        }, cancel).GetAwaiter().GetResult();
    }
}
