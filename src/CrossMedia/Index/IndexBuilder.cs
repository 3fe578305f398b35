using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Models;

namespace CrossMedia.Index;

/// <summary>Builds an <see cref="EmbeddingIndex"/> by embedding a folder of media files or a dataset with a model.</summary>
public static class IndexBuilder
{
    /// <summary>Files embedded per model call.</summary>
    private const int Batch = 64;

    /// <summary>
    /// Every media file under <paramref name="folder"/> (recursively; medium by extension) whose medium
    /// the model reads as files. Labels are the top-level sub-folders (class names); files directly in
    /// the folder get −1. <paramref name="skipped"/> receives a note per medium left out.
    /// </summary>
    public static EmbeddingIndex FromFolder(IEmbeddingModel model, string modelSha256, string folder, IndexMetric metric,
        Action<string>? skipped = null, IProgress<int>? progress = null)
    {
        if (!Directory.Exists(folder)) throw new InputException(folder, "", "a folder of media files", "no such folder");
        var root = Path.GetFullPath(folder);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => MediaTypes.MediumOf(f) is not null)
            .Order(StringComparer.Ordinal)
            .GroupBy(f => MediaTypes.MediumOf(f)!)
            .ToDictionary(g => g.Key, g => g.ToArray());
        var accepted = model.Media.Where(s => s.AcceptsFiles).Select(s => s.Name).ToHashSet();
        if (files.Count == 0)
            throw new InputException(folder, "", $"media files ({string.Join(" ", MediaTypes.Extensions)})", "none");
        if (!files.Keys.Any(accepted.Contains))
            throw new InputException(folder, "", $"files of a medium the model reads as files; model '{model.Method}' accepts: " +
                $"{string.Join(", ", model.Media)}", $"{string.Join(", ", files.Select(f => $"{f.Value.Length} {f.Key}"))} files");
        foreach (var m in files.Keys.Where(m => !accepted.Contains(m)))
            skipped?.Invoke($"{files[m].Length} {m} files skipped: model '{model.Method}' does not read {m} files");
        var classNames = Directory.EnumerateDirectories(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var classIndex = classNames.Select((c, i) => (c, i)).ToDictionary(x => x.c!, x => x.i);
        var media = files.Keys.Where(accepted.Contains).Order(StringComparer.Ordinal).ToArray();
        var index = EmbeddingIndex.Create(new IndexHeader(model.Method, modelSha256, model.EmbeddingDimension, metric, media, classNames!));
        int done = 0;
        foreach (var medium in media)
        {
            foreach (var chunk in files[medium].Chunk(Batch))
            {
                var labels = chunk.Select(f =>
                {
                    var rel = Path.GetRelativePath(root, f);
                    int slash = rel.IndexOfAny(['/', '\\']);
                    return slash < 0 ? -1 : classIndex[rel[..slash]];
                }).ToArray();
                var m = new Medium(medium, null, chunk, labels.Select(l => Math.Max(l, 0)).ToArray(), chunk.Select(_ => Split.Test).ToArray(),
                    chunk.Select(f => Path.GetRelativePath(root, f)).ToArray());
                var vectors = model.Embed(m);
                CheckEmbedding(model, vectors, chunk.Length);
                index.Add(chunk.Select((f, i) => new NewItem(m.Ids[i], medium, labels[i], f)).ToArray(), vectors);
                progress?.Report(done += chunk.Length);
            }
        }
        return index;
    }

    /// <summary>Every item of every dataset medium the model can embed (as features or files, by its specs).</summary>
    public static EmbeddingIndex FromDataset(IEmbeddingModel model, string modelSha256, Dataset dataset, IndexMetric metric,
        IProgress<int>? progress = null)
    {
        var usable = dataset.Media.Where(m => model.Media.Any(s => s.Name == m.Name
            && (s.AcceptsFiles ? m.Files is not null : m.Features is not null && m.Features.Cols == s.FeatureDimension))).ToArray();
        if (usable.Length == 0)
            throw new InputException(dataset.Name, "media", $"a medium model '{model.Method}' accepts ({string.Join(", ", model.Media)})",
                string.Join(", ", dataset.Media.Select(m => m.Features is null ? $"{m.Name} (files)" : $"{m.Name} ({m.Dimension}-d)")));
        var index = EmbeddingIndex.Create(new IndexHeader(model.Method, modelSha256, model.EmbeddingDimension, metric,
            usable.Select(m => m.Name).ToArray(), dataset.ClassNames));
        int done = 0;
        foreach (var medium in usable)
        {
            const int rows = 4096;
            for (int start = 0; start < medium.Count; start += rows)
            {
                var part = medium.Select(Enumerable.Range(start, Math.Min(rows, medium.Count - start)).ToArray());
                var vectors = model.Embed(part);
                CheckEmbedding(model, vectors, part.Count);
                index.Add(Enumerable.Range(0, part.Count).Select(i =>
                    new NewItem(part.Ids[i], part.Name, part.Labels[i], part.Files?[i] ?? "")).ToArray(), vectors);
                progress?.Report(done += part.Count);
            }
        }
        return index;
    }

    private static void CheckEmbedding(IEmbeddingModel model, Matrix vectors, int rows)
    {
        if (vectors.Rows != rows || vectors.Cols != model.EmbeddingDimension)
            throw new InputException($"model '{model.Method}'", "embedding", $"{rows}×{model.EmbeddingDimension}", $"{vectors.Rows}×{vectors.Cols}");
    }
}
