using CrossMedia.Core;

namespace CrossMedia.Encoders;

/// <summary>
/// A pretrained encoder for one medium: turns what a user has (strings for text; file paths or
/// in-memory bytes for images, audio and video) into feature rows, one L2-normalised row of
/// <see cref="Dimension"/> values per item, in input order.
/// </summary>
/// <typeparam name="TInput">The item type: <c>string</c> for text, a path-or-bytes source for the other media.</typeparam>
public interface IEncoder<in TInput> : IDisposable
{
    /// <summary>Short stable name recorded with features and indexes (e.g. "minilm").</summary>
    string Name { get; }

    /// <summary>Length of every output row.</summary>
    int Dimension { get; }

    /// <summary>
    /// Encodes the items in batches; <paramref name="progress"/> hears the number of items done
    /// after each batch. Returns an <c>items.Count × Dimension</c> matrix of unit rows.
    /// </summary>
    Matrix Encode(IReadOnlyList<TInput> items, IProgress<int>? progress = null, CancellationToken cancellationToken = default);
}
