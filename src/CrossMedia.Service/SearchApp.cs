using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using CrossMedia.Cluster;
using CrossMedia.Core;
using CrossMedia.Index;
using CrossMedia.Media;
using CrossMedia.Service.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scalar.AspNetCore;

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

    public static WebApplication Build(EmbeddingIndex index, QueryEncoder encoder, ServiceOptions options) =>
        BuildOver(new IndexBackend(index, new Searcher(index, encoder) { MaxK = options.MaxK }), encoder, options);

    /// <summary>The same service answered by an index sharded over an Orleans cluster (<c>serve --cluster</c>): answers
    /// say <c>"partial": true</c> with the missing shards while some shard does not answer.</summary>
    public static WebApplication BuildForCluster(ClusterIndex cluster, QueryEncoder encoder, ServiceOptions options)
    {
        var backend = new ClusterBackend(cluster, encoder, options.MaxK);
        var app = BuildOver(backend, encoder, options);
        app.Lifetime.ApplicationStopped.Register(backend.Dispose);
        return app;
    }

    private static WebApplication BuildOver(ISearchBackend index, QueryEncoder encoder, ServiceOptions options)
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
        builder.Services.Configure<HostFilteringOptions>(o =>
        {
            o.AllowedHosts = allowedHosts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            o.IncludeFailureMessage = false; // answered as a problem like every other 4xx (below)
        });
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
            o.SerializerOptions.PropertyNamingPolicy = JsonNaming;
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;  // a typo is an error, as in manifests
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;  // a number is a JSON number (the web default also reads strings, and OpenAPI then says "integer or string")
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "CrossMedia search";
            document.Info.Description = "Nearest items of every medium for text, a media file, a vector or an item of the index. Interactive page: /docs.";
            return Task.CompletedTask;
        }));
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
                r.OnRejected = (ctx, token) => new ValueTask(WriteProblem(ctx.HttpContext, new ProblemResponse("Too many requests", 429,
                    $"at most {options.RequestsPerSecond} requests per second per client")));
            });
        }

        // Outermost, before the host filtering every ASP.NET host starts with: every request is logged, and a status
        // set without a body (a refused host name: 400, no route: 404, wrong method: 405) becomes a problem too.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IStartupFilter>(new Outermost(outer =>
        {
            if (options.RequestLog is { } log) outer.Use(RequestLog(TextWriter.Synchronized(log)));
            outer.UseStatusCodePages(async ctx =>
            {
                var r = ctx.HttpContext.Response;
                if (r.ContentLength is null && string.IsNullOrEmpty(r.ContentType))
                    await WriteProblem(ctx.HttpContext, new ProblemResponse(Title(r.StatusCode), r.StatusCode, StatusDetail(ctx.HttpContext)));
            });
        })));

        var app = builder.Build();
        app.Use(SecurityHeaders.Add);
        app.UseHostFiltering();
        app.Use(ProblemsForExceptions);
        if (options.RequestsPerSecond > 0) app.UseRateLimiter();
        app.MapOpenApi();
        // The interactive API page, its script served from the package (no CDN), with a nonce for its inline script (SecurityHeaders).
        app.MapScalarApiReference("/docs", o => o.WithTitle("CrossMedia API").WithNonce()
            .DisableDefaultFonts().DisableTelemetry().DisableAgent().DisableMcp().HideDeveloperTools());
        MapPage(app);
        var spectrograms = new SpectrogramPictures(encoder.Limits);

        var mediaFolder = options.MediaFolder ?? (index.Path is { } p ? p + ".media" : Path.Combine(Path.GetTempPath(), "crossmedia-media"));

        app.MapGet("/health", async () =>
            {
                var header = index.Header;
                var (counts, missing) = await index.CountsAsync();
                var byMedium = header.Media.ToDictionary(m => m, _ => 0);
                foreach (var (medium, n) in counts.ByMedium) byMedium[medium] = n;
                return new HealthResponse("ok", counts.Total, header.Dimension, header.Metric.Name(), header.Method,
                    byMedium, apiKey is not null, options.MaxK, encoder.Accepts(), Queries(encoder), Classes(counts, header), missing is null ? null : missing.Count > 0, missing);
            })
            .WithTags("Service").WithSummary("Liveness and what the index holds");

        var searcher = index.Searcher;
        app.MapPost("/search", async (SearchRequest request) =>
            {
                var watch = Stopwatch.StartNew();
                var (hits, missing) = await index.SearchAsync(new SearchQuery
                {
                    Text = request.Text,
                    File = request.File is { } file ? new QueryFile(request.Filename ?? "", Base64(file)) : null,
                    Vectors = request.Vector is { } v ? new Matrix(v, 1, v.Length) : null,
                    From = request.From,
                    Item = request.Item,
                    Media = request.Medium,
                    Labels = request.Label,
                    K = request.K ?? 10,
                    Exact = request.Exact ?? false,
                });
                return new SearchResponse(index.Header.Metric.Name(), hits.Select(h => Describe(index.Header, h.Item, h.Score)).ToArray(), watch.Elapsed.TotalMilliseconds,
                    missing is null ? null : missing.Count > 0, missing);
            })
            .WithTags("Search").WithSummary("Nearest items of every medium for text, a media file, a vector or an item of the index")
            .Produces<SearchResponse>().ProducesProblems(400, 413, 422, 429, 503);

        app.MapGet("/items", async ([Description("Only items of these media.")] string[]? medium,
                [Description("Only items with these labels (-1: unlabelled).")] int[]? label,
                [Description("Items to skip (default 0).")] int? offset,
                [Description("Items in the page, 1..MaxK (default 24).")] int? limit) =>
            {
                int skip = offset ?? 0, take = limit ?? 24;
                if (skip < 0) throw new InputException("request", "offset", "0 or more", skip.ToString());
                if (take < 1 || take > options.MaxK) throw new InputException("request", "limit", $"1..{options.MaxK}", take.ToString());
                var filter = searcher.Filter(medium, label);
                var (total, page, missing) = await index.PageAsync(filter, skip, take);
                return new ItemsResponse(total, skip, page.Select(i => Describe(index.Header, i, null)).ToArray(),
                    missing is null ? null : missing.Count > 0, missing);
            })
            .WithTags("Items").WithSummary("Items of the index in id order, a page at a time (to browse, or to pick an item to search with)")
            .Produces<ItemsResponse>().ProducesProblem(400);

        app.MapGet("/items/{id:long}", async (long id) =>
                await index.GetAsync(id) is { } item ? Results.Ok(Describe(index.Header, item, null)) : NotFound(id))
            .WithTags("Items").WithSummary("Metadata of one item").Produces<ItemResponse>().ProducesProblems(404);

        app.MapGet("/items/{id:long}/media", async (HttpContext ctx, long id) =>
            {
                if (await index.GetAsync(id) is not { } item) return NotFound(id);
                if (item.Source == "" || !File.Exists(item.Source))
                    return Problem(404, "No media", $"item {id} has no media file");
                var type = MediaTypes.ContentTypeOf(item.Source);
                SecurityHeaders.ForMedia(ctx.Response);
                return Results.File(item.Source, type, SecurityHeaders.Inline(type) ? null : Path.GetFileName(item.Source), enableRangeProcessing: true);
            })
            .WithTags("Items").WithSummary("The item's media file (streamed; range requests allowed)").ProducesProblems(404);

        app.MapGet("/items/{id:long}/spectrogram", async (HttpContext ctx, long id) =>
            {
                if (await index.GetAsync(id) is not { } item) return NotFound(id);
                if (KindOf(item) != MediaKind.Audio)
                    return Results.Problem(statusCode: 404, title: "No spectrogram", detail: $"item {id} is not an audio item with a media file");
                var png = await spectrograms.PngAsync(item, ctx.RequestAborted);
                ctx.Response.Headers.CacheControl = "private, max-age=86400";
                return Results.Bytes(png, "image/png");
            })
            .WithTags("Items").WithSummary("The spectrogram picture of an audio item (PNG; time left to right, low frequencies at the bottom)")
            .Produces(200, contentType: "image/png").ProducesProblems(404, 422);

        app.MapPost("/items", async (HttpContext ctx, AddItemRequest request) =>
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
                        medium = MediaTypes.MediumOfUpload("request", request.Filename);
                        var name = request.Filename!; // the line above refuses a missing name
                        var bytes = Base64(request.File);
                        // Kept under its (sanitised) name in a folder of its own, so names never collide.
                        var folder = Uploads.NewFolder(mediaFolder);
                        saved = Path.Combine(folder, MediaTypes.SafeFileName(name));
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
                    var added = await index.AddAsync(new NewItem(key, medium, request.Label, saved ?? ""), vector);
                    saved = null;
                    return Results.Created($"/items/{added.Id}", Describe(index.Header, added, null));
                }
                catch (IndexBusyException) { return IndexBusy(); }
                finally
                {
                    if (saved is not null) Directory.Delete(Path.GetDirectoryName(saved)!, recursive: true);
                }
            })
            .WithTags("Items").WithSummary("Add an item (requires X-Api-Key)").Produces<ItemResponse>(201).ProducesProblems(400, 401, 403, 503);

        app.MapDelete("/items/{id:long}", async (HttpContext ctx, long id) =>
            {
                if (Authorise(ctx, apiKey) is { } refused) return refused;
                var source = (await index.GetAsync(id))?.Source;
                try { if (!await index.RemoveAsync(id)) return NotFound(id); }
                catch (IndexBusyException) { return IndexBusy(); }
                Uploads.DeleteStored(mediaFolder, source);
                return Results.NoContent();
            })
            .WithTags("Items").WithSummary("Remove an item (requires X-Api-Key)").ProducesProblems(401, 403, 404, 503);
        return app;
    }

    private static byte[] Base64(string text)
    {
        try { return Convert.FromBase64String(text); }
        catch (FormatException) { throw new InputException("request", "file", "base64 data", "other characters"); }
    }

    /// <summary>The kinds of query this service takes (for the page: which inputs to offer).</summary>
    private static string[] Queries(QueryEncoder encoder) =>
        [.. encoder.TakesText ? ["text"] : Array.Empty<string>(), .. encoder.TakesFiles ? ["file"] : Array.Empty<string>(), "vector", "item"];

    /// <summary>The labels live items carry, with their names and counts.</summary>
    private static ClassResponse[] Classes(ItemCounts counts, IndexHeader header) => counts.ByLabel.Where(kv => kv.Key >= 0).OrderBy(kv => kv.Key)
        .Select(kv => new ClassResponse(kv.Key, kv.Key < header.ClassNames.Count ? header.ClassNames[kv.Key] : null, kv.Value)).ToArray();

    private static ItemResponse Describe(IndexHeader header, IndexItem item, float? score)
    {
        var kind = KindOf(item);
        bool hasMedia = item.Source != "" && File.Exists(item.Source);
        string? snippet = null;
        if (kind == MediaKind.Text)
        {
            // Bounded read: the first characters are enough for a card.
            using var reader = new StreamReader(item.Source, Encoding.UTF8);
            var buffer = new char[280];
            int n = reader.ReadBlock(buffer, 0, buffer.Length);
            snippet = new string(buffer, 0, n);
        }
        return new ItemResponse(item.Id, item.Key, item.Medium, item.Label,
            item.Label >= 0 && item.Label < header.ClassNames.Count ? header.ClassNames[item.Label] : null,
            hasMedia ? $"/items/{item.Id}/media" : null, snippet, score, kind?.ToString().ToLowerInvariant(),
            kind == MediaKind.Audio ? $"/items/{item.Id}/spectrogram" : null);
    }

    /// <summary>What the item's media file is; null when it has none.</summary>
    private static MediaKind? KindOf(IndexItem item) =>
        item.Source != "" && File.Exists(item.Source) ? MediaKinds.Of(item.Medium, item.Source) : null;

    /// <summary>Another process (e.g. 'crossmedia index compact') kept the index's writer lock past the wait.</summary>
    private static IResult IndexBusy() => Problem(503, "Index busy", "another process is writing the index; try again shortly");

    private static IResult NotFound(long id) => Problem(404, Title(404), $"no item with id {id}");

    /// <summary>Null when the request carries the configured key; otherwise the refusal.</summary>
    private static IResult? Authorise(HttpContext ctx, string? apiKey)
    {
        if (apiKey is null)
            return Problem(403, "Changes disabled",
                $"no API key is configured (set {ApiKeyEnvironment} or CrossMedia:ApiKey to enable POST/DELETE /items)");
        var given = ctx.Request.Headers[ApiKeyHeader].ToString();
        bool ok = CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
        return ok ? null : Problem(401, Title(401), $"a valid {ApiKeyHeader} header is required");
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
            var problem = e switch
            {
                MediaLimitException or UndecodableMediaException { LimitExceeded: true } => new ProblemResponse("Media over a limit", 413, e.Message),
                UndecodableMediaException => new ProblemResponse("Undecodable media", 422, e.Message),
                QueryBusyException => new ProblemResponse("Busy", 503, e.Message),
                ShardUnavailableException => new ProblemResponse("Shard unavailable", 503, e.Message),
                InputException ie => new ProblemResponse("Invalid request", 400, ie.Message, FieldOf(ctx, ie)),
                BadHttpRequestException { StatusCode: 413 } => new ProblemResponse("Request body too large", 413, e.Message),
                BadHttpRequestException { InnerException: JsonException je } => JsonProblem(ctx, je),
                BadHttpRequestException b => new ProblemResponse(Title(b.StatusCode), b.StatusCode, b.Message),
                JsonException je => JsonProblem(ctx, je),
                _ => new ProblemResponse("Internal error", 500, "the server failed; see its log"),
            };
            if (problem.Status == 500)
                ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CrossMedia.Service").LogError(e, "request failed");
            ctx.Response.Clear();
            if (problem.Status == 503) ctx.Response.Headers.RetryAfter = "1";
            await WriteProblem(ctx, problem);
        }
    }

    /// <summary>A body that is not JSON, or not the JSON the endpoint's contract describes.</summary>
    private static ProblemResponse JsonProblem(HttpContext ctx, JsonException e)
    {
        var error = JsonErrors.Describe(e, RequestContract(ctx));
        return new ProblemResponse(JsonErrors.IsSyntax(e) ? "Malformed JSON" : "Invalid request", 400, error.Message, error.Field == "" ? null : error.Field);
    }

    /// <summary>The request field an error is about: a member of the endpoint's request body (or an element of one); else null.</summary>
    private static string? FieldOf(HttpContext ctx, InputException e)
    {
        if (e.Location is not ("request" or Searcher.Location) || e.Field == "" || RequestContract(ctx) is not { } contract) return null;
        var name = e.Field.Split('[')[0];
        return JsonErrors.FieldNames(contract).Contains(name) ? e.Field : null;
    }

    private static Type? RequestContract(HttpContext ctx) => ctx.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;

    /// <summary>JSON member names of the API: snake_case everywhere (requests, answers, problems, OpenAPI).</summary>
    internal static readonly JsonNamingPolicy JsonNaming = JsonNamingPolicy.SnakeCaseLower;

    private const string ProblemJson = "application/problem+json";

    private static IResult Problem(int status, string title, string detail) =>
        Results.Json(new ProblemResponse(title, status, detail), statusCode: status, contentType: ProblemJson);

    private static Task WriteProblem(HttpContext ctx, ProblemResponse problem)
    {
        ctx.Response.StatusCode = problem.Status;
        return ctx.Response.WriteAsJsonAsync(problem, (JsonSerializerOptions?)null, ProblemJson);
    }

    /// <summary>OpenAPI: the statuses an endpoint answers with a <see cref="ProblemResponse"/>.</summary>
    private static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder endpoint, params int[] statuses)
    {
        foreach (var status in statuses) endpoint.Produces<ProblemResponse>(status, ProblemJson);
        return endpoint;
    }

    /// <summary>The status's reason phrase in sentence case, as the other titles ("Not found", "Method not allowed").</summary>
    private static string Title(int status) => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase
        ? phrase[..1] + phrase[1..].ToLowerInvariant()
        : "Error";

    /// <summary>The detail of a status set without a body: what was asked, in the request's own terms (escaped).</summary>
    private static string StatusDetail(HttpContext ctx)
    {
        var path = InputException.Escape(ctx.Request.Path.Value ?? "/", 200);
        return ctx.Response.StatusCode switch
        {
            404 => $"nothing at {path}",
            405 => $"{path} does not answer {ctx.Request.Method}" + (ctx.Response.Headers.Allow is { Count: > 0 } allow ? $" (only {allow})" : ""),
            400 => "the Host header names a host this service does not answer",
            _ => $"{ctx.Request.Method} {path}",
        };
    }

    /// <summary>Middleware ahead of everything the host and <see cref="Build"/> add.</summary>
    private sealed class Outermost(Action<IApplicationBuilder> configure) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            configure(app);
            next(app);
        };
    }

    /// <summary>One console line per request: method, path, status and milliseconds.</summary>
    private static Func<HttpContext, RequestDelegate, Task> RequestLog(TextWriter log) => async (ctx, next) =>
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await next(ctx);
        }
        finally
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ctx.Request.Method} {InputException.Escape(ctx.Request.Path.Value ?? "/", 200)} {ctx.Response.StatusCode} {Stopwatch.GetElapsedTime(start).TotalMilliseconds:F1} ms"));
        }
    };

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
