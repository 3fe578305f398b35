using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Media;
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
    /// the folder get −1. <paramref name="skipped"/> receives a note per medium left out and per file
    /// that cannot be decoded. Every file's header is checked first (<see cref="MediaCheck"/>): a bad
    /// file fails the build (all of them listed) unless <paramref name="skipBad"/>, which leaves them out.
    /// </summary>
    public static EmbeddingIndex FromFolder(IEmbeddingModel model, string modelSha256, string folder, Metric metric,
        Action<string>? skipped = null, IProgress<WorkProgress>? progress = null, bool skipBad = false, MediaLimits? limits = null)
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

        // Headers first (cheap): a folder with bad files fails before anything is embedded.
        var problems = new List<MediaProblem>();
        foreach (var medium in media)
            files[medium] = files[medium].Where(f => Decodable(f, medium, limits, problems, skipped)).ToArray();
        if (problems.Count > 0 && !skipBad) throw Refused(folder, problems);

        int LabelOf(string file)
        {
            var rel = Path.GetRelativePath(root, file);
            int slash = rel.IndexOfAny(['/', '\\']);
            return slash < 0 ? -1 : classIndex[rel[..slash]];
        }
        var index = EmbeddingIndex.Create(new IndexHeader(model.Method, modelSha256, model.EmbeddingDimension, metric, media, classNames!,
            IndexHeader.EncodersOf(model)));
        foreach (var medium in media)
        {
            var all = files[medium];
            for (int start = 0; start < all.Length; start += Batch)
            {
                var chunk = all.AsSpan(start, Math.Min(Batch, all.Length - start)).ToArray();
                var (vectors, kept) = Embed(model, EmbeddingInput.OfFiles(medium, chunk), skipBad, problems, skipped, Phase(progress, medium, start, all.Length));
                CheckEmbedding(model, vectors, kept.Length);
                index.Add(kept.Select(i => new NewItem(Path.GetRelativePath(root, chunk[i]), medium, LabelOf(chunk[i]), chunk[i])).ToArray(), vectors);
            }
        }
        if (problems.Count > 0) skipped?.Invoke($"{problems.Count} undecodable files left out");
        return index;
    }

    /// <summary>Every item of every dataset medium the model can embed (as features or files, by its specs); undecodable files fail the build unless <paramref name="skipBad"/>.</summary>
    public static EmbeddingIndex FromDataset(IEmbeddingModel model, string modelSha256, Dataset dataset, Metric metric,
        IProgress<WorkProgress>? progress = null, bool skipBad = false, Action<string>? skipped = null)
    {
        var usable = dataset.Media.Where(m => model.Media.Any(s => s.Name == m.Name
            && (s.AcceptsFiles ? m.Files is not null : m.Features is not null && m.Features.Cols == s.FeatureDimension))).ToArray();
        if (usable.Length == 0)
            throw new InputException(dataset.Name, "media", $"a medium model '{model.Method}' accepts ({string.Join(", ", model.Media)})",
                string.Join(", ", dataset.Media.Select(m => m.Features is null ? $"{m.Name} (files)" : $"{m.Name} ({m.Dimension}-d)")));
        var index = EmbeddingIndex.Create(new IndexHeader(model.Method, modelSha256, model.EmbeddingDimension, metric,
            usable.Select(m => m.Name).ToArray(), dataset.ClassNames, IndexHeader.EncodersOf(model)));
        var problems = new List<MediaProblem>();
        foreach (var medium in usable)
        {
            const int rows = 4096;
            var input = EmbeddingInput.Of(medium);
            for (int start = 0; start < medium.Count; start += rows)
            {
                var (vectors, kept) = Embed(model, input.Slice(start, Math.Min(rows, medium.Count - start)), skipBad, problems, skipped,
                    Phase(progress, medium.Name, start, medium.Count));
                CheckEmbedding(model, vectors, kept.Length);
                index.Add(kept.Select(k => start + k).Select(i =>
                    new NewItem(medium.Ids[i], medium.Name, medium.Labels[i], medium.Files?[i] ?? "")).ToArray(), vectors);
            }
        }
        if (problems.Count > 0) skipped?.Invoke($"{problems.Count} undecodable files left out");
        return index;
    }

    /// <summary>True when the file's header passes <see cref="MediaCheck"/>; otherwise the problem is recorded and reported.</summary>
    private static bool Decodable(string file, string medium, MediaLimits? limits, List<MediaProblem> problems, Action<string>? skipped)
    {
        if (MediaKinds.Of(medium, file) is not { } kind) return true;
        try
        {
            MediaCheck.File(file, kind, limits);
            return true;
        }
        catch (InputException e)
        {
            var p = MediaProblem.Of(file, e);
            problems.Add(p);
            skipped?.Invoke($"undecodable {p}");
            return false;
        }
    }

    /// <summary>The model's embeddings of the items and their positions; with <paramref name="skipBad"/> files the model cannot decode are left out (and reported).</summary>
    private static (Matrix Vectors, int[] Kept) Embed(IEmbeddingModel model, EmbeddingInput input, bool skipBad, List<MediaProblem> problems,
        Action<string>? skipped, IProgress<int>? progress)
    {
        if (!skipBad) return (model.Embed(input, progress), Enumerable.Range(0, input.Count).ToArray());
        int before = problems.Count;
        var result = model.EmbedDecodable(input, problems, progress);
        foreach (var p in problems.Skip(before)) skipped?.Invoke($"undecodable {p}");
        return result;
    }

    /// <summary>A chunk's item progress (from <paramref name="start"/>, reported at once) as the progress of embedding the whole medium.</summary>
    private static SynchronousProgress<int>? Phase(IProgress<WorkProgress>? progress, string medium, int start, int total)
    {
        if (progress is null) return null;
        progress.Report(new WorkProgress($"embed {medium}", start, total));
        return new(done => progress.Report(new WorkProgress($"embed {medium}", start + done, total)));
    }

    private static InputException Refused(string folder, IReadOnlyList<MediaProblem> problems) =>
        new(folder, "", "media files that can all be decoded (skipping bad files leaves the others out)",
            $"{problems.Count} that cannot, first {problems[0]}");

    private static void CheckEmbedding(IEmbeddingModel model, Matrix vectors, int rows)
    {
        if (vectors.Rows != rows || vectors.Cols != model.EmbeddingDimension)
            throw new InputException($"model '{model.Method}'", "embedding", $"{rows}×{model.EmbeddingDimension}", $"{vectors.Rows}×{vectors.Cols}");
    }
}
