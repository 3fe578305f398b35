using System.Collections.Concurrent;
using CrossMedia.Index;
using CrossMedia.Media;

namespace CrossMedia.Service;

/// <summary>
/// Spectrogram pictures of audio items for the page's result cards (the picture the audio path sees,
/// smaller): rendered on first request within the service's media limits, at most two at once, and
/// kept in memory (a bounded number; ids are never reused, so a kept picture never goes stale).
/// </summary>
internal sealed class SpectrogramPictures(MediaLimits limits)
{
    private const int Kept = 256;
    private static readonly SpectrogramOptions Options = new() { Width = 384, Height = 160 };
    private readonly ConcurrentDictionary<long, byte[]> _kept = new();
    private readonly SemaphoreSlim _renders = new(2);

    /// <summary>The item's picture as PNG bytes.</summary>
    public async Task<byte[]> PngAsync(IndexItem item, CancellationToken cancel)
    {
        if (_kept.TryGetValue(item.Id, out var png)) return png;
        await _renders.WaitAsync(cancel);
        try
        {
            if (_kept.TryGetValue(item.Id, out png)) return png;
            png = await Task.Run(() => AudioDecoder.SpectrogramPicture(item.Source, Options, limits).EncodePng(), cancel);
            if (_kept.Count >= Kept) _kept.Clear();
            _kept[item.Id] = png;
            return png;
        }
        finally { _renders.Release(); }
    }
}
