using CrossMedia.Core;
using CrossMedia.Encoders;
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
    private readonly Lock _modelLock = new();
    private readonly SemaphoreSlim _decodes = new((limits ?? MediaLimits.Default).MaxConcurrentDecodes);

    public MediaLimits Limits { get; } = limits ?? MediaLimits.Default;

    public IEmbeddingModel? Model => model;

    /// <summary>What this encoder accepts, for error messages: the model's media specs and common-space vectors.</summary>
    public string Accepts()
    {
        var parts = (model?.Media ?? []).Select(s => s.AcceptsFiles
            ? $"{s.Name} files{(s.Name == "text" ? " or free text" : "")}"
            : $"{s.Name} feature vectors ({s.FeatureDimension}-d vector, from '{s.Name}')" +
              (s.Encoder is { } e ? $" or {Readable(s)} (through {e})" : "")).ToList();
        parts.Add($"vectors of the common space ({dimension}-d vector, from '{Embedding}')");
        return string.Join("; ", parts);

        // The kinds a query for this medium may be: the medium's own kind, else every kind its encoder reads.
        static string Readable(MediumSpec s) => string.Join(" or ", Enum.GetValues<MediaKind>()
            .Where(k => Reads(s, k) && (MediaKinds.FromMediumName(s.Name) ?? k) == k)
            .Select(k => k == MediaKind.Text ? "free text or text files" : $"{k.ToString().ToLowerInvariant()} files"));
    }

    private string ModelName => model is null ? "no model given" : $"model '{model.Method}'";

    /// <summary>
    /// Encodes free text: a model that reads raw text embeds it directly; a model trained on encoder features gets
    /// the text's features from that encoder (e.g. MiniLM) through its text branch. Nothing is written to disk.
    /// </summary>
    public Matrix EncodeText(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new InputException("query", "text", "non-empty text", "nothing");
        var spec = TextSpec()
            ?? throw new InputException("query", "text",
                $"a model with a text encoder: one that reads text, or whose text features came from {EncoderCatalog.MiniLm} ({ModelName} accepts: {Accepts()})",
                "free text");
        return Decoding(() => spec.AcceptsFiles
            ? EmbedModel(m => m.Embed(EmbeddingInput.OfTexts(spec.Name, [text.Trim()])))
            : EmbedFeatures(spec, QueryFeatures.OfText(spec.Encoder!, text)));
    }

    /// <summary>Whether free text can be a query (see <see cref="EncodeText"/>).</summary>
    public bool TakesText => TextSpec() is not null;

    /// <summary>Whether some media file can be a query: the model reads files, or a medium's features came from an encoder.</summary>
    public bool TakesFiles => (model?.Media ?? []).Any(s => s.AcceptsFiles || s.Encoder is not null);

    /// <summary>The medium free text goes through: the model's text medium, else a feature medium with a neutral name whose encoder reads text.</summary>
    private MediumSpec? TextSpec()
    {
        var media = model?.Media ?? [];
        return media.FirstOrDefault(s => s.Name == "text" && (s.AcceptsFiles || Reads(s, MediaKind.Text)))
            ?? media.FirstOrDefault(s => !s.AcceptsFiles && Reads(s, MediaKind.Text) && MediaKinds.FromMediumName(s.Name) is null);
    }

    /// <summary>
    /// Encodes a media file; its medium comes from <paramref name="medium"/> or the extension. Errors name the file as
    /// <paramref name="shownAs"/> when given (a stored upload kept under a private path).
    /// </summary>
    public Matrix EncodeFile(string path, string? medium = null, string? shownAs = null)
    {
        if (!File.Exists(path)) throw new InputException(path, "", "a media file", "no such file");
        try
        {
            return Encode(MediaSource.File(path), medium);
        }
        catch (InputException e) when (shownAs is not null)
        {
            throw ShownAs(e, path, shownAs);
        }
    }

    /// <summary>
    /// Encodes one media item (a file, or bytes in memory such as an upload, named by their file name); its medium
    /// comes from <paramref name="medium"/> or the name's extension. A model that reads the medium decodes it; a model
    /// trained on encoder features gets its features from that encoder. Nothing is written to disk.
    /// </summary>
    public Matrix Encode(MediaSource source, string? medium = null)
    {
        medium ??= MediaTypes.MediumOf(source.Name)
            ?? throw new InputException(source.Name, "extension", $"one of {string.Join(" ", MediaTypes.Extensions)}", $"'{Path.GetExtension(source.Name)}'");
        var kind = MediaKinds.Of(medium, source.Name);
        var media = model?.Media ?? [];
        // The medium's own spec; else a feature medium with a neutral name ("caption") whose encoder reads this kind.
        var spec = media.FirstOrDefault(s => s.Name == medium && (s.AcceptsFiles || kind is { } k && Reads(s, k)))
            ?? media.FirstOrDefault(s => !s.AcceptsFiles && kind is { } k && Reads(s, k) && MediaKinds.FromMediumName(s.Name) is null)
            ?? throw new InputException("query", "file", $"a model that reads {medium} files ({ModelName} accepts: {Accepts()})", $"a {medium} file");
        return Decoding(() =>
        {
            Check(source, kind);
            return spec.AcceptsFiles
                ? EmbedModel(m => m.Embed(EmbeddingInput.OfSources(spec.Name, [source])))
                : EmbedFeatures(spec, QueryFeatures.OfSource(spec.Encoder!, kind!.Value, source, Limits));
        });
    }

    /// <summary>True when the medium's features came from an encoder that reads <paramref name="kind"/>.</summary>
    private static bool Reads(MediumSpec spec, MediaKind kind) => spec.Encoder is { } e && EncoderCatalog.Reads(e, kind);

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
        return EmbedFeatures(spec, (float[])vector.Clone());
    }

    /// <summary>Runs a file or text query under the decode cap (refused at once when it is taken).</summary>
    private Matrix Decoding(Func<Matrix> encode)
    {
        if (!_decodes.Wait(0))
            throw new QueryBusyException($"{Limits.MaxConcurrentDecodes} media queries are in progress; try again shortly");
        try
        {
            return encode();
        }
        finally
        {
            _decodes.Release();
        }
    }

    /// <summary>Checks an item's header against the limits before anything decodes it.</summary>
    private void Check(MediaSource source, MediaKind? kind)
    {
        if (kind is not { } k) return;
        try
        {
            MediaCheck.Source(source, k, Limits);
        }
        catch (InputException e) when (e is not MediaLimitException)
        {
            throw new UndecodableMediaException([MediaProblem.Of(source.Name, e)]);
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

    /// <summary>One feature row through the model's branch of the medium <paramref name="spec"/>.</summary>
    private Matrix EmbedFeatures(MediumSpec spec, float[] features) => features.Length != spec.FeatureDimension
        ? throw new InputException("query", spec.Name, $"{spec.FeatureDimension}-d features for the model's {spec.Name} branch", $"{features.Length} from encoder {spec.Encoder}")
        : EmbedModel(m => m.Embed(EmbeddingInput.OfFeatures(spec.Name, features)));

    private Matrix EmbedModel(Func<IEmbeddingModel, Matrix> embed)
    {
        Matrix result;
        lock (_modelLock) result = embed(model!);
        if (result.Cols != dimension)
            throw new InputException("model", "embedding dimension", $"{dimension} (the index's)", result.Cols.ToString());
        return result;
    }
}

/// <summary>Too many media queries in progress: refused at once rather than queued (HTTP 503 with Retry-After).</summary>
public sealed class QueryBusyException(string message) : Exception(message);
