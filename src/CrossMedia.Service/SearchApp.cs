using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using CrossMedia.Core;
using CrossMedia.Index;
using CrossMedia.Media;
using CrossMedia.Service.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CrossMedia.Service;

/// <summary>
/// The HTTP search service over one index and its model: JSON API (search, items, health,
/// OpenAPI) and the web page at <c>/</c>. Every malformed request is answered with a 4xx problem
/// description, never a 500.
/// </summary>
public static class SearchApp
{
    public const string ApiKeyHeader = "X-Api-Key";
    public const string ApiKeyEnvironment = "CROSSMEDIA_API_KEY";

    /// <summary>
    /// Starts a service made by <see cref="Build"/> and returns the addresses it listens on (a busy
    /// port or a non-loopback address without AllowRemote is an <see cref="InputException"/>).
    /// </summary>
    public static Task<IReadOnlyList<string>> StartAsync(WebApplication app) =>
        Listening.StartAsync(app, app.Services.GetRequiredService<ServiceOptions>().AllowRemote);

    public static WebApplication Build(EmbeddingIndex index, QueryEncoder encoder, ServiceOptions options)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(SearchApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(options.Urls);
        bool loopback = Listening.CheckConfigured(options, builder.Configuration);
        // DNS rebinding: a loopback service answers loopback host names only, unless told otherwise.
        var allowedHosts = options.AllowedHosts ?? builder.Configuration["AllowedHosts"] ?? (loopback ? Listening.LoopbackHosts : "*");
        builder.Services.Configure<HostFilteringOptions>(o => o.AllowedHosts = allowedHosts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.Services.AddSingleton(options);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            k.AddServerHeader = false;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);
        // A failed start reaches the caller as an exception (a busy port as one line); the host need not log its stack too.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        var apiKey = options.ApiKey ?? builder.Configuration["CrossMedia:ApiKey"] ?? Environment.GetEnvironmentVariable(ApiKeyEnvironment);
        if (string.IsNullOrEmpty(apiKey)) apiKey = null;
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.MaxDepth = 16;
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;  // a typo is an error, as in manifests
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        if (options.RequestsPerSecond > 0)
        {
            builder.Services.AddRateLimiter(r =>
            {
                r.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                r.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
                    RateLimitPartition.GetFixedWindowLimiter(ctx.Connection.RemoteIpAddress?.ToString() ?? "?", _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = options.RequestsPerSecond, Window = TimeSpan.FromSeconds(1), QueueLimit = 0,
                    }));
                r.OnRejected = (ctx, token) => new ValueTask(WriteProblem(ctx.HttpContext, 429, "Too many requests",
                    $"at most {options.RequestsPerSecond} requests per second per client"));
            });
        }

        var app = builder.Build();
        app.Use(SecurityHeaders.Add);
        app.UseHostFiltering();
        app.Use(ProblemsForExceptions);
        app.UseStatusCodePages(async ctx =>
        {
            var r = ctx.HttpContext.Response;
            if (r.ContentLength is null && string.IsNullOrEmpty(r.ContentType))
                await WriteProblem(ctx.HttpContext, r.StatusCode, ReasonPhrase(r.StatusCode), ctx.HttpContext.Request.Path);
        });
        if (options.RequestsPerSecond > 0) app.UseRateLimiter();
        app.MapOpenApi();
        MapPage(app);

        var mediaFolder = options.MediaFolder ?? (index.Path is { } p ? p + ".media" : Path.Combine(Path.GetTempPath(), "crossmedia-media"));

        app.MapGet("/health", () => new HealthResponse("ok", index.Count, index.Dimension, index.Metric.Name(), index.Method,
                index.CountByMedium(), apiKey is not null, options.MaxK, encoder.Accepts()))
            .WithSummary("Liveness and what the index holds");

        app.MapPost("/search", (SearchRequest request) =>
            {
                var watch = Stopwatch.StartNew();
                int k = request.K ?? 10;
                if (k < 1 || k > options.MaxK) throw new InputException("request", "k", $"1..{options.MaxK}", k.ToString());
                var filter = MediumFilter(index, request.Medium);
                var query = Encode(encoder, request.Text, request.File, request.Filename, request.Vector, request.From);
                var hits = index.Search(query, k, filter)[0];
                return new SearchResponse(index.Metric.Name(), hits.Select(h => Describe(index, h.Item, h.Score)).ToArray(), watch.Elapsed.TotalMilliseconds);
            })
            .WithSummary("Nearest items of every medium for text, a media file or a vector")
            .Produces<SearchResponse>().ProducesProblem(400).ProducesProblem(413).ProducesProblem(422).ProducesProblem(429).ProducesProblem(503);

        app.MapGet("/items/{id:long}", (long id) =>
                index.Get(id) is { } item ? Results.Ok(Describe(index, item, null)) : NotFound(id))
            .WithSummary("Metadata of one item").Produces<ItemResponse>().ProducesProblem(404);

        app.MapGet("/items/{id:long}/media", (HttpContext ctx, long id) =>
            {
                if (index.Get(id) is not { } item) return NotFound(id);
                if (item.Source == "" || !File.Exists(item.Source))
                    return Results.Problem(statusCode: 404, title: "No media", detail: $"item {id} has no media file");
                var type = MediaTypes.ContentTypeOf(item.Source);
                SecurityHeaders.ForMedia(ctx.Response);
                return Results.File(item.Source, type, SecurityHeaders.Inline(type) ? null : Path.GetFileName(item.Source), enableRangeProcessing: true);
            })
            .WithSummary("The item's media file (streamed; range requests allowed)").ProducesProblem(404);

        app.MapPost("/items", (HttpContext ctx, AddItemRequest request) =>
            {
                if (Authorise(ctx, apiKey) is { } refused) return refused;
                string? saved = null;
                try
                {
                    Matrix vector;
                    string medium, key;
                    if (request.File is not null)
                    {
                        if (request.Vector is not null) throw new InputException("request", "file", "a file or a vector, not both", "both");
                        var name = request.Filename ?? throw new InputException("request", "filename", "the file's name (its extension gives the medium)", "nothing");
                        medium = MediaTypes.MediumOf(name) ?? throw new InputException("request", "filename", $"an extension of {string.Join(" ", MediaTypes.Extensions)}", $"'{Path.GetExtension(name)}'");
                        var bytes = Base64(request.File);
                        // Kept under its (sanitised) name in a folder of its own, so names never collide.
                        var folder = Uploads.NewFolder(mediaFolder);
                        saved = Path.Combine(folder, SafeName(name));
                        AtomicFile.WriteAllBytes(saved, bytes);
                        vector = encoder.EncodeFile(saved, medium, shownAs: Path.GetFileName(saved));
                        key = request.Key ?? Path.GetFileName(name);
                    }
                    else if (request.Vector is not null)
                    {
                        vector = encoder.EncodeVector(request.Vector, request.From);
                        medium = request.Medium ?? (request.From is { } f && f != QueryEncoder.Embedding ? f : "vector");
                        key = request.Key ?? "";
                    }
                    else throw new InputException("request", "body", "a file (base64) or a vector", "neither");
                    var added = index.Add([new NewItem(key, medium, request.Label, saved ?? "")], vector)[0];
                    saved = null;
                    return Results.Created($"/items/{added.Id}", Describe(index, added, null));
                }
                catch (IndexBusyException) { return IndexBusy(); }
                finally
                {
                    if (saved is not null) Directory.Delete(Path.GetDirectoryName(saved)!, recursive: true);
                }
            })
            .WithSummary("Add an item (requires X-Api-Key)").Produces<ItemResponse>(201).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(503);

        app.MapDelete("/items/{id:long}", (HttpContext ctx, long id) =>
            {
                if (Authorise(ctx, apiKey) is { } refused) return refused;
                var source = index.Get(id)?.Source;
                try { if (index.Remove([id]) != 1) return NotFound(id); }
                catch (IndexBusyException) { return IndexBusy(); }
                Uploads.DeleteStored(mediaFolder, source);
                return Results.NoContent();
            })
            .WithSummary("Remove an item (requires X-Api-Key)").ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(503);
        return app;
    }

    private static Matrix Encode(QueryEncoder encoder, string? text, string? file, string? filename, float[]? vector, string? from)
    {
        int given = (text is not null ? 1 : 0) + (file is not null ? 1 : 0) + (vector is not null ? 1 : 0);
        if (given != 1) throw new InputException("request", "query", "exactly one of text, file or vector", given == 0 ? "none" : "several");
        if (text is not null)
        {
            if (text.Length > 10_000) throw new InputException("request", "text", "at most 10000 characters", text.Length.ToString());
            return encoder.EncodeText(text);
        }
        if (vector is not null) return encoder.EncodeVector(vector, from);
        var name = filename ?? throw new InputException("request", "filename", "the file's name (its extension gives the medium)", "nothing");
        var medium = MediaTypes.MediumOf(name)
            ?? throw new InputException("request", "filename", $"an extension of {string.Join(" ", MediaTypes.Extensions)}", $"'{Path.GetExtension(name)}'");
        // Decoded in memory under its (sanitised) name, which errors show; nothing is written to disk.
        return encoder.Encode(MediaSource.FromBytes(Base64(file!), SafeName(name)), medium);
    }

    private static string SafeName(string name)
    {
        var safe = string.Concat(Path.GetFileName(name).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_'));
        return safe.Trim('.') is { Length: > 0 } s ? s : "upload" + Path.GetExtension(name);
    }

    private static byte[] Base64(string text)
    {
        try { return Convert.FromBase64String(text); }
        catch (FormatException) { throw new InputException("request", "file", "base64 data", "other characters"); }
    }

    private static SearchFilter? MediumFilter(EmbeddingIndex index, string[]? media)
    {
        if (media is null || media.Length == 0) return null;
        var known = index.Header.Media;
        if (media.FirstOrDefault(m => !known.Contains(m)) is { } unknown)
            throw new InputException("request", "medium", $"one of {string.Join(", ", known)}", $"'{unknown}'");
        return new SearchFilter(media.ToHashSet());
    }

    private static ItemResponse Describe(EmbeddingIndex index, IndexItem item, float? score)
    {
        bool hasMedia = item.Source != "" && File.Exists(item.Source);
        string? snippet = null;
        if (hasMedia && item.Medium == "text")
        {
            // Bounded read: the first characters are enough for a card.
            using var reader = new StreamReader(item.Source, Encoding.UTF8);
            var buffer = new char[280];
            int n = reader.ReadBlock(buffer, 0, buffer.Length);
            snippet = new string(buffer, 0, n);
        }
        return new ItemResponse(item.Id, item.Key, item.Medium, item.Label,
            item.Label >= 0 && item.Label < index.ClassNames.Count ? index.ClassNames[item.Label] : null,
            hasMedia ? $"/items/{item.Id}/media" : null, snippet, score);
    }

    /// <summary>Another process (e.g. 'crossmedia index compact') kept the index's writer lock past the wait.</summary>
    private static IResult IndexBusy() => Results.Problem(statusCode: 503, title: "Index busy",
        detail: "another process is writing the index; try again shortly");

    private static IResult NotFound(long id) => Results.Problem(statusCode: 404, title: "Not found", detail: $"no item with id {id}");

    /// <summary>Null when the request carries the configured key; otherwise the refusal.</summary>
    private static IResult? Authorise(HttpContext ctx, string? apiKey)
    {
        if (apiKey is null)
            return Results.Problem(statusCode: 403, title: "Changes disabled",
                detail: $"no API key is configured (set {ApiKeyEnvironment} or CrossMedia:ApiKey to enable POST/DELETE /items)");
        var given = ctx.Request.Headers[ApiKeyHeader].ToString();
        bool ok = CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
        return ok ? null : Results.Problem(statusCode: 401, title: "Unauthorized", detail: $"a valid {ApiKeyHeader} header is required");
    }

    /// <summary>Maps exceptions from bad requests to 4xx problems; anything else is a 500 without details.</summary>
    private static async Task ProblemsForExceptions(HttpContext ctx, RequestDelegate next)
    {
        try
        {
            await next(ctx);
        }
        catch (Exception e) when (!ctx.Response.HasStarted && !ctx.RequestAborted.IsCancellationRequested)
        {
            var (status, title, detail) = e switch
            {
                MediaLimitException or UndecodableMediaException { LimitExceeded: true } => (413, "Media over a limit", e.Message),
                UndecodableMediaException => (422, "Undecodable media", e.Message),
                QueryBusyException => (503, "Busy", e.Message),
                InputException ie => (400, "Invalid request", ie.Message),
                BadHttpRequestException { StatusCode: 413 } => (413, "Request body too large", e.Message),
                BadHttpRequestException { InnerException: JsonException je } => JsonProblem(ctx, je),
                BadHttpRequestException b => (b.StatusCode, "Bad request", b.Message),
                JsonException je => JsonProblem(ctx, je),
                _ => (500, "Internal error", "the server failed; see its log"),
            };
            if (status == 500)
                ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CrossMedia.Service").LogError(e, "request failed");
            ctx.Response.Clear();
            if (status == 503) ctx.Response.Headers.RetryAfter = "1";
            await WriteProblem(ctx, status, title, detail);
        }
    }

    /// <summary>A body that is not JSON, or not the JSON the endpoint's contract describes.</summary>
    private static (int, string, string) JsonProblem(HttpContext ctx, JsonException e) =>
        (400, JsonErrors.IsSyntax(e) ? "Malformed JSON" : "Invalid request",
            JsonErrors.Describe(e, ctx.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType).Message);

    private static Task WriteProblem(HttpContext ctx, int status, string title, string? detail)
    {
        ctx.Response.StatusCode = status;
        return ctx.Response.WriteAsJsonAsync(new ProblemDetails { Status = status, Title = title, Detail = detail },
            (JsonSerializerOptions?)null, "application/problem+json");
    }

    private static string ReasonPhrase(int status) => ((HttpStatusCode)status).ToString();

    private static void MapPage(WebApplication app)
    {
        var assembly = typeof(SearchApp).Assembly;
        foreach (var (route, resource, type) in new[]
                 {
                     ("/", "web/index.html", "text/html; charset=utf-8"),
                     ("/app.js", "web/app.js", "text/javascript; charset=utf-8"),
                     ("/app.css", "web/app.css", "text/css; charset=utf-8"),
                 })
        {
            var bytes = ReadResource(assembly, resource);
            app.MapGet(route, () => Results.Bytes(bytes, type)).ExcludeFromDescription();
        }
    }

    private static byte[] ReadResource(Assembly assembly, string name)
    {
        using var s = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"resource {name} missing");
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
