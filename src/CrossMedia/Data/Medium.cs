using CrossMedia.Core;

namespace CrossMedia.Data;

/// <summary>
/// The items of one medium of a dataset ("image", "text", "audio", "video" or any name):
/// either feature rows or media files, each with a label, a split and an id.
/// Immutable; <see cref="Select"/> makes subsets.
/// </summary>
public sealed class Medium
{
    /// <summary>Medium name, e.g. "image".</summary>
    public string Name { get; }
    /// <summary>Feature rows (one per item), when the medium is given as features.</summary>
    public Matrix? Features { get; }
    /// <summary>Media file paths (one per item), when the medium is given as raw files.</summary>
    public IReadOnlyList<string>? Files { get; }
    /// <summary>Primary label per item (class index into the dataset's class names).</summary>
    public int[] Labels { get; }
    /// <summary>All labels per item for multi-label data; null for single-label data.</summary>
    public IReadOnlyList<int[]>? LabelSets { get; }
    public Split[] Splits { get; }
    /// <summary>Item ids, unique within the medium. For video frames the id names the video.</summary>
    public string[] Ids { get; }
    /// <summary>The pretrained encoder that made <see cref="Features"/> (e.g. "minilm"; see <c>EncoderCatalog</c>), or null when
    /// unknown. Models trained on the medium record it, so queries (free text, files) go through the same encoder.</summary>
    public string? Encoder { get; }

    public int Count => Labels.Length;
    /// <summary>Feature dimension, or 0 for file media.</summary>
    public int Dimension => Features?.Cols ?? 0;
    public bool IsMultiLabel => LabelSets is not null;

    public Medium(string name, Matrix? features, IReadOnlyList<string>? files, int[] labels, Split[] splits,
        string[]? ids = null, IReadOnlyList<int[]>? labelSets = null, string? encoder = null)
    {
        if ((features is null) == (files is null))
            throw new ArgumentException($"medium '{name}': give either features or files");
        int n = labels.Length;
        if (features is not null && features.Rows != n)
            throw new InputException(name, "features", $"{n} rows (one per label)", $"{features.Rows} rows");
        if (files is not null && files.Count != n)
            throw new InputException(name, "files", $"{n} files (one per label)", $"{files.Count} files");
        if (splits.Length != n)
            throw new InputException(name, "split", $"{n} entries (one per label)", $"{splits.Length}");
        if (ids is not null && ids.Length != n)
            throw new InputException(name, "ids", $"{n} ids (one per label)", $"{ids.Length}");
        if (labelSets is not null && labelSets.Count != n)
            throw new InputException(name, "labels", $"{n} label sets", $"{labelSets.Count}");
        if (encoder is not null && features is null)
            throw new InputException(name, "encoder", "features (an encoder names what made them)", "media files");
        Name = name;
        Features = features;
        Files = files;
        Labels = labels;
        Splits = splits;
        Ids = ids ?? Enumerable.Range(0, n).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        LabelSets = labelSets;
        Encoder = encoder;
    }

    /// <summary>The items at the given positions, in that order.</summary>
    public Medium Select(IReadOnlyList<int> rows) => new(
        Name,
        Features?.SelectRows(rows),
        Files is null ? null : rows.Select(r => Files[r]).ToArray(),
        rows.Select(r => Labels[r]).ToArray(),
        rows.Select(r => Splits[r]).ToArray(),
        rows.Select(r => Ids[r]).ToArray(),
        LabelSets is null ? null : rows.Select(r => LabelSets[r]).ToArray(),
        Encoder);

    /// <summary>Positions of the items in a split.</summary>
    public int[] RowsOf(Split split) => Enumerable.Range(0, Count).Where(i => Splits[i] == split).ToArray();

    /// <summary>The files, ids and labels <see cref="Media.MediaDecoder"/> decodes; refuses a medium given as features.</summary>
    public Media.MediaFiles ToMediaFiles() => new(Name, Files ?? throw new InputException(Name, "files", "a medium given as media files", "feature vectors"),
        Ids, Labels);

    /// <summary>The items of one split.</summary>
    public Medium Select(Split split) => Select(RowsOf(split));

    /// <summary>The same items with other splits.</summary>
    public Medium WithSplits(Split[] splits) => new(Name, Features, Files, Labels, splits, Ids, LabelSets, Encoder);

    /// <summary>The same items with features instead of files (e.g. after decoding), made by <paramref name="encoder"/> when known.</summary>
    public Medium WithFeatures(Matrix features, string? encoder = null) => new(Name, features, null, Labels, Splits, Ids, LabelSets, encoder);
}
