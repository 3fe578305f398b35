using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Media;
using CrossMedia.Models;

namespace CrossMedia.Index;

/// <summary>
/// Turns a query (free text, a media file, or a vector) into a vector of the index's space with
/// the model, or explains which inputs the model can take. Model calls are serialised: models
/// are not required to be thread-safe. A media file is checked against <see cref="Limits"/> from
/// its header before the model decodes it, and at most <see cref="MediaLimits.MaxConcurrentDecodes"/>
/// file or text queries are in progress at once; more are refused (<see cref="QueryBusyException"/>)
/// rather than queued, so a flood of uploads cannot pile up memory.
/// </summary>
public sealed class QueryEncoder(IEmbeddingModel? model, int dimension, MediaLimits? limits = null)
{
    /// <summary><c>--from</c> value for vectors already in the model's common space.</summary>
    public const string Embedding = "embedding";
    private readonly Lock modelLock = new();
    private readonly SemaphoreSlim decodes = new((limits ?? MediaLimits.Default).MaxConcurrentDecodes);

    public MediaLimits Limits { get; } = limits ?? MediaLimits.Default;

    public IEmbeddingModel? Model => model;

    /// <summary>What this encoder accepts, for error messages: the model's media specs and common-space vectors.</summary>
    public string Accepts()
    {
        var parts = (model?.Media ?? []).Select(s => s.AcceptsFiles
            ? $"{s.Name} files{(s.Name == "text" ? " or free text" : "")}"
            : $"{s.Name} feature vectors ({s.FeatureDimension}-d vector, from '{s.Name}')").ToList();
        parts.Add($"vectors of the common space ({dimension}-d vector, from '{Embedding}')");
        return string.Join("; ", parts);
    }

    private string ModelName => model is null ? "no model given" : $"model '{model.Method}'";

    public Matrix EncodeText(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new InputException("query", "text", "non-empty text", "nothing");
        var spec = model?.Media.FirstOrDefault(s => s.Name == "text" && s.AcceptsFiles)
            ?? throw new InputException("query", "text", $"a model with a text encoder ({ModelName} accepts: {Accepts()})", "free text");
        var tmp = Path.Combine(Path.GetTempPath(), $"crossmedia-query-{Guid.NewGuid():N}.txt");
        File.WriteAllText(tmp, text);
        try { return EmbedFile(spec.Name, tmp, check: false); }
        finally { File.Delete(tmp); }
    }

    /// <summary>
    /// Encodes a media file; its medium comes from <paramref name="medium"/> or the extension. Errors
    /// name the file as <paramref name="shownAs"/> when given (an upload kept under a private temporary path).
    /// </summary>
    public Matrix EncodeFile(string path, string? medium = null, string? shownAs = null)
    {
        if (!File.Exists(path)) throw new InputException(path, "", "a media file", "no such file");
        medium ??= MediaTypes.MediumOf(path)
            ?? throw new InputException(path, "extension", $"one of {string.Join(" ", MediaTypes.Extensions)}", $"'{Path.GetExtension(path)}'");
        var spec = model?.Media.FirstOrDefault(s => s.Name == medium && s.AcceptsFiles)
            ?? throw new InputException("query", "file", $"a model that reads {medium} files ({ModelName} accepts: {Accepts()})", $"a {medium} file");
        try
        {
            return EmbedFile(spec.Name, path, check: true);
        }
        catch (InputException e) when (shownAs is not null)
        {
            throw ShownAs(e, path, shownAs);
        }
    }

    /// <summary>Encodes a vector: features of medium <paramref name="from"/>, or a common-space vector
    /// (<paramref name="from"/> = "embedding", or null when the length is the index's dimension and no medium claims it).</summary>
    public Matrix EncodeVector(float[] vector, string? from = null)
    {
        if (vector.Length == 0) throw new InputException("query", "vector", "at least one value", "none");
        if (vector.Any(v => !float.IsFinite(v))) throw new InputException("query", "vector", "finite values", "NaN or infinity");
        var specs = model?.Media.Where(s => !s.AcceptsFiles && s.FeatureDimension == vector.Length).ToArray() ?? [];
        if (from is null)
        {
            if (specs.Length == 0 && vector.Length == dimension) from = Embedding;
            else if (specs.Length == 1 && vector.Length != dimension) from = specs[0].Name;
            else if (specs.Length == 0)
                throw new InputException("query", "vector", $"a vector this model can take: {Accepts()}", $"{vector.Length} values");
            else
                throw new InputException("query", "from", $"which input the {vector.Length}-d vector is ({Accepts()})", "nothing");
        }
        if (from == Embedding)
        {
            if (vector.Length != dimension)
                throw new InputException("query", "vector", $"{dimension} values (the index's dimension)", $"{vector.Length}");
            return new Matrix((float[])vector.Clone(), 1, dimension);
        }
        var spec = model?.Media.FirstOrDefault(s => s.Name == from && !s.AcceptsFiles)
            ?? throw new InputException("query", "from", $"a feature-vector input of the model ({ModelName} accepts: {Accepts()})", $"'{from}'");
        if (spec.FeatureDimension != vector.Length)
            throw new InputException("query", "vector", $"{spec.FeatureDimension} values ({from} features)", $"{vector.Length}");
        var medium = new Medium(from, new Matrix((float[])vector.Clone(), 1, vector.Length), null, [0], [Split.Test]);
        return Embed(medium);
    }

    /// <summary>Embeds one file under the decode cap; <paramref name="check"/>: check the file's header against the limits first.</summary>
    private Matrix EmbedFile(string medium, string path, bool check)
    {
        if (!decodes.Wait(0))
            throw new QueryBusyException($"{Limits.MaxConcurrentDecodes} media queries are in progress; try again shortly");
        try
        {
            if (check && MediaKinds.Of(medium, path) is { } kind)
            {
                try
                {
                    MediaCheck.File(path, kind, Limits);
                }
                catch (InputException e) when (e is not MediaLimitException)
                {
                    throw new UndecodableMediaException([MediaProblem.Of(path, e)]);
                }
            }
            return Embed(new Medium(medium, null, [path], [0], [Split.Test]));
        }
        finally
        {
            decodes.Release();
        }
    }

    /// <summary>The error with <paramref name="path"/> replaced by <paramref name="name"/> wherever it is quoted.</summary>
    private static InputException ShownAs(InputException e, string path, string name)
    {
        string Swap(string s) => s.Replace(path, name, StringComparison.Ordinal);
        return e switch
        {
            UndecodableMediaException u => new UndecodableMediaException(u.Problems.Select(p => p with
            {
                Path = Swap(p.Path), Reason = Swap(p.Reason), Error = p.Error is InputException ie ? ShownAs(ie, path, name) : p.Error,
            }).ToArray()),
            MediaLimitException => new MediaLimitException(Swap(e.Location), e.Field, e.Expected, Swap(e.Found)),
            _ => new InputException(Swap(e.Location), e.Field, e.Expected, Swap(e.Found), e),
        };
    }

    private Matrix Embed(Medium medium)
    {
        Matrix result;
        lock (modelLock) result = model!.Embed(medium);
        if (result.Cols != dimension)
            throw new InputException("model", "embedding dimension", $"{dimension} (the index's)", result.Cols.ToString());
        return result;
    }
}

/// <summary>Too many media queries in progress: refused at once rather than queued (HTTP 503 with Retry-After).</summary>
public sealed class QueryBusyException(string message) : Exception(message);
