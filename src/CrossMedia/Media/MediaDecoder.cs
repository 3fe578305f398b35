using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace CrossMedia.Media;

/// <summary>
/// Turns <see cref="MediaFiles"/> (a medium's files) and inference sources into network inputs: images → picture tensors,
/// audio → spectrogram picture tensors, video → one picture tensor per sampled frame (grouped
/// under the video id), text → the text. The kind comes from the medium's name ("image",
/// "audio", "video-derived", ...) or else from each file's extension.
///
/// <see cref="DecodeAsync"/> is a bounded producer–consumer pipeline: a producer queues one
/// decoding task per item, in order, into a channel of capacity <see cref="MediaDecoderOptions.Prefetch"/>;
/// at most <see cref="MediaDecoderOptions.Workers"/> tasks decode at once; the consumer awaits
/// them in order. So decoding runs ahead while a training step uses the previous batch, memory
/// stays bounded, and the item order is the requested order (reproducible batches).
///
/// Unreadable or unsupported files never stop the pipeline: they are left out and listed in
/// <see cref="Problems"/> with the file name and the reason. Training may go on without them
/// (and reports them); inference must not (<see cref="ThrowIfProblems"/>): a missing item is
/// never replaced by a made-up vector.
/// </summary>
public sealed class MediaDecoder
{
    private readonly ConcurrentQueue<MediaProblem> _problems = new();
    private readonly DecodedCache? _cache;
    private long _attempted;

    public MediaDecoderOptions Options { get; }

    /// <summary>Files this decoder has finished with so far (decoded or skipped): shows how far decoding runs ahead.</summary>
    public long Attempted => Interlocked.Read(ref _attempted);

    /// <summary>Files skipped so far, in the order they failed.</summary>
    public IReadOnlyList<MediaProblem> Problems => _problems.ToArray();

    public MediaDecoder(MediaDecoderOptions? options = null)
    {
        Options = options ?? new MediaDecoderOptions();
        Options.Validate();
        if (Options.CacheDirectory is { } dir) _cache = new DecodedCache(dir);
    }

    /// <summary>Decodes the given rows (default: all) in order, skipping (and reporting) bad files.</summary>
    public IAsyncEnumerable<DecodedItem> DecodeAsync(MediaFiles files, IReadOnlyList<int>? rows = null, CancellationToken cancellationToken = default) =>
        Pipeline(rows ?? Enumerable.Range(0, files.Count).ToArray(), r => Decode(files, r), cancellationToken);

    /// <summary>
    /// Decodes inference inputs of one kind (files, bytes or strings; no labels) in order, skipping (and reporting)
    /// bad ones; <see cref="DecodedItem.Row"/> is the position in <paramref name="sources"/>.
    /// </summary>
    public IAsyncEnumerable<DecodedItem> DecodeAsync(IReadOnlyList<MediaSource> sources, MediaKind kind, CancellationToken cancellationToken = default) =>
        Pipeline(Enumerable.Range(0, sources.Count).ToArray(),
            r => Decode(sources[r], kind, r, r.ToString(System.Globalization.CultureInfo.InvariantCulture), -1), cancellationToken);

    /// <summary>The bounded, ordered decoding pipeline over <paramref name="rows"/> (see the class summary).</summary>
    private async IAsyncEnumerable<DecodedItem> Pipeline(IReadOnlyList<int> rows, Func<int, DecodedItem?> decodeRow,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = cts.Token;
        using var gate = new SemaphoreSlim(Options.Workers);
        var channel = Channel.CreateBounded<Task<DecodedItem?>>(new BoundedChannelOptions(Options.Prefetch)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var row in rows)
                {
                    var r = row;
                    var task = Task.Run(async () =>
                    {
                        await gate.WaitAsync(token).ConfigureAwait(false);
                        try
                        {
                            return decodeRow(r);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }, token);
                    try
                    {
                        await channel.Writer.WriteAsync(task, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Not handed to the consumer: let it finish before the gate is disposed.
                        await task.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
                        throw;
                    }
                }
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, token);
        try
        {
            await foreach (var task in channel.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                var item = await task.ConfigureAwait(false);
                if (item is not null) yield return item;
            }
        }
        finally
        {
            // The consumer stopped early (or finished): stop queuing and let in-flight work end.
            await cts.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            while (channel.Reader.TryRead(out var pending))
            {
                try
                {
                    await pending.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    /// <summary>
    /// Decoded items in batches of <paramref name="batchSize"/> (the last may be smaller; skipped files
    /// are not replaced). One pipeline runs over all rows, so the next batch decodes while the
    /// caller trains on the current one.
    /// </summary>
    public IAsyncEnumerable<IReadOnlyList<DecodedItem>> DecodeBatchesAsync(MediaFiles files, IReadOnlyList<int> rows, int batchSize,
        CancellationToken cancellationToken = default) => Batches(DecodeAsync(files, rows, cancellationToken), batchSize, cancellationToken);

    /// <summary>Inference inputs decoded in batches, as <see cref="DecodeBatchesAsync(MediaFiles, IReadOnlyList{int}, int, CancellationToken)"/>.</summary>
    public IAsyncEnumerable<IReadOnlyList<DecodedItem>> DecodeBatchesAsync(IReadOnlyList<MediaSource> sources, MediaKind kind, int batchSize,
        CancellationToken cancellationToken = default) => Batches(DecodeAsync(sources, kind, cancellationToken), batchSize, cancellationToken);

    private static async IAsyncEnumerable<IReadOnlyList<DecodedItem>> Batches(IAsyncEnumerable<DecodedItem> items, int batchSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize));
        var batch = new List<DecodedItem>(batchSize);
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            batch.Add(item);
            if (batch.Count == batchSize)
            {
                yield return batch;
                batch = new List<DecodedItem>(batchSize);
            }
        }
        if (batch.Count > 0) yield return batch;
    }

    /// <summary>
    /// Throws an <see cref="UndecodableMediaException"/> naming every file left out so far (the first one's
    /// error leads the message); does nothing when every file decoded.
    /// </summary>
    public void ThrowIfProblems()
    {
        if (Problems is { Count: > 0 } problems) throw new UndecodableMediaException(problems);
    }

    /// <summary>Decodes one item now; null (and a <see cref="Problems"/> entry) when its file is unusable.</summary>
    public DecodedItem? Decode(MediaFiles files, int row) =>
        Decode(MediaSource.File(files.Paths[row]), MediaKinds.Of(files.Medium, files.Paths[row]), row, files.Ids[row], files.Labels[row], files.Medium);

    /// <summary>Decodes one source; null (and a <see cref="Problems"/> entry) when it is unusable (a null
    /// <paramref name="kind"/>: neither the name of <paramref name="medium"/> nor the extension says one).</summary>
    private DecodedItem? Decode(MediaSource source, MediaKind? kind, int row, string id, int label, string medium = "")
    {
        var path = source.Name;
        try
        {
            var k = kind ?? throw new InputException(path, "", "a medium named image/text/audio/video or a known file extension",
                $"medium '{medium}', extension '{Path.GetExtension(path)}'");
            if (k == MediaKind.Text)
                return new DecodedItem { Row = row, Id = id, Label = label, Kind = k, Path = path, Text = source.ReadText(Options.Limits) };
            var (tensors, h, w) = DecodePictures(source, k);
            return k == MediaKind.Video
                ? new DecodedItem { Row = row, Id = id, Label = label, Kind = k, Path = path, Frames = tensors, Height = h, Width = w }
                : new DecodedItem { Row = row, Id = id, Label = label, Kind = k, Path = path, Pixels = tensors[0], Height = h, Width = w };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _problems.Enqueue(MediaProblem.Of(path, e));
            return null;
        }
        finally
        {
            Interlocked.Increment(ref _attempted);
        }
    }

    /// <summary>Picture tensors of an image (1), an audio file (1 spectrogram) or a video (N frames), via the cache when enabled (files only).</summary>
    private (float[][] Tensors, int Height, int Width) DecodePictures(MediaSource source, MediaKind kind)
    {
        var path = source.Name;
        if (source.IsFile && !File.Exists(path)) throw new FileNotFoundException($"{path}: not found", path);
        string? cacheFile = null;
        if (_cache is not null && source.IsFile)
        {
            cacheFile = _cache.PathFor(path, kind, Settings(kind));
            if (_cache.TryRead(cacheFile, out var cached, out var ch, out var cw)) return (cached, ch, cw);
        }
        var p = Options.Preprocessing;
        var tensors = source.Pictures(kind, p.ResizeSize, Options.Spectrogram, Options.FramesPerVideo, Options.Limits)
            .Select(f => ImageTransform.Preprocess(f, p)).ToArray();
        if (cacheFile is not null)
        {
            try
            {
                _cache!.Write(cacheFile, tensors, p.InputSize, p.InputSize);
            }
            catch (IOException)
            {
                // A full or read-only cache folder costs speed, not correctness.
            }
        }
        return (tensors, p.InputSize, p.InputSize);
    }

    /// <summary>The settings that shape a kind's tensors (the cache key part).</summary>
    private string Settings(MediaKind kind) => kind switch
    {
        MediaKind.Audio => Options.Preprocessing.Fingerprint() + "|" + Options.Spectrogram.Fingerprint(),
        MediaKind.Video => Options.Preprocessing.Fingerprint() + "|frames=" + Options.FramesPerVideo.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => Options.Preprocessing.Fingerprint(),
    };
}
