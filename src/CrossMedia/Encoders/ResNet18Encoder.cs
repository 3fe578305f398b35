using CrossMedia.Core;
using CrossMedia.Media;
using CrossMedia.Models.Backbones;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Encoders;

/// <summary>
/// Pictures → 512-d features of the ImageNet ResNet-18 (the ONNX model shipped with the build,
/// imported into our TorchSharp <see cref="ResNet"/>): the global-average-pooled output of the
/// last stage, in eval mode without gradients, L2-normalised like <see cref="MiniLmTextEncoder"/>'s rows.
/// Images are squashed to 224×224 (the whole picture, no crop: clip art fills its frame) and
/// normalised as the network expects (<see cref="Backbone.Normalization"/>); audio becomes the
/// spectrogram picture FGCrossNet feeds its backbone (<see cref="Spectrogram.Picture"/>); a video's
/// feature is the mean of its sampled frames' features (<see cref="FrameSampling"/>), then normalised.
/// </summary>
/// <remarks>
/// The next batch decodes (<see cref="EncoderOptions.Workers"/> files at once) while the network
/// runs on the current one. A file that cannot be decoded or exceeds the limits is never replaced
/// by a made-up row: the rest are still decoded (not encoded) so that one
/// <see cref="UndecodableMediaException"/> names every such file. One batch at a time per instance.
/// </remarks>
internal sealed class ResNet18Encoder : IEncoder<MediaSource>
{
    public const string EncoderName = "resnet18";
    public const int OutputDimension = 512;
    /// <summary>Side of the network input; the ImageNet model's mean image is exact at this size.</summary>
    public const int InputSize = ResNet.MeanImageSide;
    /// <summary>Pictures per forward pass.</summary>
    public const int DefaultBatchSize = 16;

    private readonly Backbone _net;
    private readonly Device _device;
    private readonly EncoderOptions _options;
    private readonly Lock _gate = new();
    private bool _disposed;

    public MediaKind Kind { get; }
    public string Name => EncoderName;
    public int Dimension => OutputDimension;
    public int BatchSize { get; }

    /// <summary>Resize and normalisation of every picture before the network.</summary>
    public MediaPreprocessing Preprocessing { get; }

    public ResNet18Encoder(MediaKind kind, EncoderOptions? options = null)
    {
        if (kind == MediaKind.Text) throw new ArgumentException("ResNet-18 encodes pictures: image, audio or video", nameof(kind));
        _options = options ?? new EncoderOptions();
        _options.Validate();
        Kind = kind;
        BatchSize = _options.BatchSize > 0 ? _options.BatchSize : DefaultBatchSize;
        // Threads 0 keeps the process's libtorch thread count (ParseDevice loads libtorch if needed).
        if (_options.Threads > 0) TorchRuntime.Initialize(_options.Threads);
        _device = TorchRuntime.ParseDevice(_options.Device);
        // The frozen copy (batch norm folded into the convolutions, oneDNN's fused kernels where the probe allows
        // them) gives the eval model's features faster than ONNX Runtime runs the same file (bench/README.md).
        using (var trainable = (ResNet)BackboneRegistry.Create(EncoderName, 1000, new BackboneOptions(InputSize, BackboneOptions.ImageNet)))
        {
            trainable.to(_device);
            trainable.eval();
            _net = trainable.ForInference();
        }
        Preprocessing = new MediaPreprocessing
        {
            InputSize = InputSize, ResizeSize = InputSize, Resize = ResizeMode.Square,
            Mean = _net.Normalization.Mean, Std = _net.Normalization.Std,
        };
    }

    public Matrix Encode(IReadOnlyList<MediaSource> items, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var result = new Matrix(items.Count, OutputDimension);
        var problems = new List<MediaProblem>();
        // Items per group: a group's pictures fill about one forward pass (a video brings all its frames).
        int perItem = Kind == MediaKind.Video ? _options.FramesPerVideo : 1;
        int group = Math.Max(1, BatchSize / perItem);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var next = items.Count > 0 ? DecodeAsync(items, 0, Math.Min(group, items.Count), cancellationToken) : null;
            for (int start = 0; start < items.Count; start += group)
            {
                int count = Math.Min(group, items.Count - start);
                var decoded = next!.GetAwaiter().GetResult();
                next = start + count < items.Count
                    ? DecodeAsync(items, start + count, Math.Min(group, items.Count - start - count), cancellationToken)
                    : null;
                for (int i = 0; i < count; i++)
                    if (decoded[i].Problem is { } problem) problems.Add(problem);
                if (problems.Count == 0) Pool(decoded, start, result);
                progress?.Report(start + count);
            }
        }
        if (problems.Count > 0) throw new UndecodableMediaException(problems);
        return result;
    }

    /// <summary>Encodes one item; a convenience over <see cref="Encode(IReadOnlyList{MediaSource}, IProgress{int}?, CancellationToken)"/>.</summary>
    public float[] Encode(MediaSource item) => Encode([item]).Data;

    /// <summary>Unnormalised pooled features of preprocessed pictures (CHW, <see cref="InputSize"/>²), one row each.</summary>
    public Matrix PictureFeatures(IReadOnlyList<float[]> pictures)
    {
        var rows = new Matrix(pictures.Count, OutputDimension);
        int per = 3 * InputSize * InputSize;
        for (int start = 0; start < pictures.Count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, pictures.Count - start);
            var data = new float[n * per];
            for (int i = 0; i < n; i++) pictures[start + i].CopyTo(data, i * per);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            _net.ForwardFeatures(tensor(data, [n, 3, InputSize, InputSize]).to(_device)).CopyRowsTo(rows, start);
        }
        return rows;
    }

    private readonly record struct Decoded(float[][]? Pictures, MediaProblem? Problem);

    /// <summary>Decodes items [start, start + count) in parallel, in the background.</summary>
    private Task<Decoded[]> DecodeAsync(IReadOnlyList<MediaSource> items, int start, int count, CancellationToken cancellationToken) => Task.Run(() =>
    {
        var decoded = new Decoded[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _options.Workers, CancellationToken = cancellationToken }, i =>
        {
            var item = items[start + i] ?? throw new ArgumentException($"item {start + i} is null", nameof(items));
            try
            {
                decoded[i] = new Decoded(item.Pictures(Kind, Preprocessing.InputSize, _options.Spectrogram, _options.FramesPerVideo, _options.Limits)
                    .Select(p => ImageTransform.Preprocess(p, Preprocessing)).ToArray(), null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                decoded[i] = new Decoded(null, MediaProblem.Of(item.Name, e));
            }
        });
        return decoded;
    }, cancellationToken);

    /// <summary>Features of each item's pictures, averaged per item and L2-normalised, into rows from <paramref name="start"/>.</summary>
    private void Pool(Decoded[] decoded, int start, Matrix result)
    {
        var features = PictureFeatures(decoded.SelectMany(d => d.Pictures!).ToArray());
        int p = 0;
        for (int i = 0; i < decoded.Length; i++)
        {
            var row = result.Row(start + i);
            int n = decoded[i].Pictures!.Length;
            for (int k = 0; k < n; k++, p++)
            {
                var f = features.RowReadOnly(p);
                for (int d = 0; d < OutputDimension; d++) row[d] += f[d];
            }
            Vectors.Normalise(row); // the mean's 1/n cancels here
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _net.Dispose();
        }
    }
}
