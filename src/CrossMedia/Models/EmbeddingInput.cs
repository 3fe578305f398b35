using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Media;

namespace CrossMedia.Models;

/// <summary>
/// What a model embeds: items of one of its media, as feature rows or as media sources (files,
/// in-memory bytes or strings, see <see cref="MediaSource"/>). No labels, splits or ids: those
/// belong to datasets (<see cref="Medium"/>, which <see cref="Of(Medium)"/> adapts), not to
/// inference. Models read it in batches (<see cref="Batches"/>), so a large input never has to be
/// decoded at once.
/// </summary>
public sealed class EmbeddingInput
{
    /// <summary>The model's medium the items belong to, e.g. "image".</summary>
    public string Medium { get; }

    /// <summary>Feature rows, one per item; null when the items are media sources.</summary>
    public Matrix? Features { get; }

    /// <summary>Media sources, one per item; null when the items are feature rows.</summary>
    public IReadOnlyList<MediaSource>? Sources { get; }

    public int Count => Features?.Rows ?? Sources!.Count;

    private EmbeddingInput(string medium, Matrix? features, IReadOnlyList<MediaSource>? sources)
    {
        ArgumentException.ThrowIfNullOrEmpty(medium);
        Medium = medium;
        Features = features;
        Sources = sources;
    }

    /// <summary>Feature rows of <paramref name="medium"/>.</summary>
    public static EmbeddingInput OfFeatures(string medium, Matrix features) => new(medium, features ?? throw new ArgumentNullException(nameof(features)), null);

    /// <summary>One feature row of <paramref name="medium"/>.</summary>
    public static EmbeddingInput OfFeatures(string medium, float[] row) => OfFeatures(medium, new Matrix(row, 1, row.Length));

    /// <summary>Media sources (files, bytes, strings) of <paramref name="medium"/>.</summary>
    public static EmbeddingInput OfSources(string medium, IReadOnlyList<MediaSource> sources) =>
        new(medium, null, sources ?? throw new ArgumentNullException(nameof(sources)));

    /// <summary>Media files of <paramref name="medium"/>.</summary>
    public static EmbeddingInput OfFiles(string medium, IEnumerable<string> paths) => OfSources(medium, MediaSource.Files(paths));

    /// <summary>Texts given as strings, as items of the text medium <paramref name="medium"/>.</summary>
    public static EmbeddingInput OfTexts(string medium, IEnumerable<string> texts) => OfSources(medium, MediaSource.Texts(texts));

    /// <summary>The items of a dataset medium (its features or its files), without their labels.</summary>
    public static EmbeddingInput Of(Medium medium) => medium.Features is { } f ? OfFeatures(medium.Name, f) : OfFiles(medium.Name, medium.Files!);

    /// <summary>The items [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    public EmbeddingInput Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count);
        if (start == 0 && count == Count) return this;
        return Features is { } f
            ? new(Medium, new Matrix(f.Data.AsSpan(start * f.Cols, count * f.Cols).ToArray(), count, f.Cols), null)
            : new(Medium, null, Sources!.Skip(start).Take(count).ToArray());
    }

    /// <summary>The items at <paramref name="rows"/>, in that order.</summary>
    public EmbeddingInput Select(IReadOnlyList<int> rows) => Features is { } f
        ? new(Medium, f.SelectRows(rows), null)
        : new(Medium, null, rows.Select(r => Sources![r]).ToArray());

    /// <summary>Consecutive slices of at most <paramref name="size"/> items (none for an empty input).</summary>
    public IEnumerable<EmbeddingInput> Batches(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        for (int start = 0; start < Count; start += size) yield return Slice(start, Math.Min(size, Count - start));
    }

    /// <summary>What the items are, for messages: "12 image files" or "12 image feature rows (128-d)".</summary>
    public override string ToString() => Features is { } f ? $"{Count} {Medium} feature rows ({f.Cols}-d)" : $"{Count} {Medium} items";
}
