using CrossMedia.Data;
using CrossMedia.Models;

namespace CrossMedia.Training;

/// <summary>
/// Which media of a dataset a method trains on, and one warning line for every medium a trained model
/// leaves out, so that no medium is dropped without a word.
/// </summary>
public static class TrainingMedia
{
    /// <summary>
    /// The media of feature vectors that CCA and JFSE train on: <paramref name="names"/> when given (each must
    /// hold feature vectors), otherwise every medium of feature vectors in the dataset's order (media of files
    /// are left out; <see cref="LeftOut"/> names them). At least two.
    /// </summary>
    public static string[] FeatureMedia(Dataset data, IReadOnlyList<string>? names, string method)
    {
        var media = names is null ? data.Media.Where(m => m.Features is not null).ToArray() : names.Select(n => data[n]).ToArray();
        if (media.FirstOrDefault(m => m.Features is null) is { } files)
            throw new InputException(data.Name, $"medium '{files.Name}'", $"feature vectors for {method} (fgcrossnet trains on media files; `crossmedia features` turns them into vectors)", "media files");
        if (media.Length < 2)
            throw new InputException(data.Name, "media", $"at least two media of feature vectors for {method}",
                $"{media.Length} among {string.Join(", ", data.Media.Select(m => $"{m.Name} ({(m.Features is null ? "files" : "features")})"))}");
        return media.Select(m => m.Name).ToArray();
    }

    /// <summary>
    /// One warning per medium of the dataset that <paramref name="model"/> does not embed: first those left out
    /// before loading (<paramref name="unselected"/>, by the media selection), then those the method could not use.
    /// </summary>
    public static List<string> LeftOut(Dataset data, IReadOnlyList<string> unselected, IEmbeddingModel model)
    {
        var used = model.Media.Select(m => m.Name).ToHashSet();
        var warnings = unselected.Where(n => !used.Contains(n))
            .Select(n => $"medium '{n}' of the dataset left out by the media selection; {model.Method} trains on {Names(model)}").ToList();
        foreach (var m in data.Media.Where(m => !used.Contains(m.Name)))
        {
            bool files = m.Features is null;
            string why = model.Media.Any(s => s.AcceptsFiles == files)
                ? "not among the media it was given"
                : $"it holds {(files ? "media files" : "feature vectors")}, which {model.Method} cannot use";
            warnings.Add($"medium '{m.Name}' left out: {why}; {model.Method} trains on {Names(model)}");
        }
        return warnings;
    }

    private static string Names(IEmbeddingModel model) => string.Join(", ", model.Media.Select(m => m.Name));
}
