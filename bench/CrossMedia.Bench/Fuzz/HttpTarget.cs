using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Core;
using CrossMedia.Index;
using CrossMedia.Media;
using CrossMedia.Models.FgCrossNet;
using CrossMedia.Service;
using CrossMedia.Torch;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrossMedia.Bench.Fuzz;

/// <summary>
/// The HTTP service in this process on a loopback port, over a small index built with a real
/// file-decoding model (FGCrossNet on an untrained ResNet-18 at 32 px, so uploads go through the
/// media decoder as in `serve`), inner-product metric. Each case sends one random or mutated request: JSON with wrong
/// types, unknown fields, huge numbers, NaN, deep nesting, huge k; wrong content types; multipart
/// uploads; corrupt media; long keys; bad ids, methods and paths; oversized bodies.
/// Failures: a 5xx (crash), no answer in time (hang), a 2xx for media the decoder cannot read
/// (garbage), and at the end a committed item missing over HTTP or after reopening the index (lost).
/// </summary>
public sealed class HttpTarget : IFuzzTarget
{
    private const string ApiKey = "fuzz-key";
    private const int MaxBody = 1 << 20;
    private readonly string root;
    private readonly string indexPath;
    private readonly WebApplication app;
    private readonly EmbeddingIndex index;
    private readonly FgCrossNetModel model;
    private readonly HttpClient client;
    /// <summary>Items the service has committed (listed at start, added with 201, removed with 204).</summary>
    private readonly HashSet<long> committed;
    private readonly int dimension;
    private readonly ErrorLog errors = new();

    /// <summary>Keeps the last exception the service logged, so a 5xx is reported with its cause.</summary>
    private sealed class ErrorLog : ILoggerProvider, ILogger
    {
        public Exception? Last;
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is not null) Last = exception;
        }
        public void Dispose() { }
    }

    public string Name => "http";

    public HttpTarget()
    {
        TorchRuntime.Initialize(1);
        root = Directory.CreateTempSubdirectory("cm-fuzz-http-").FullName;
        var media = Directory.CreateDirectory(Path.Combine(root, "media")).FullName;
        var rng = new Random(7);
        foreach (var cls in new[] { "birds", "music" })
        {
            var dir = Directory.CreateDirectory(Path.Combine(media, cls)).FullName;
            for (int i = 0; i < 3; i++)
            {
                File.WriteAllBytes(Path.Combine(dir, $"p{i}.png"), PngSeed(rng));
                File.WriteAllText(Path.Combine(dir, $"t{i}.txt"), $"{cls} text number {i}");
            }
        }
        var config = new FgCrossNetConfig("resnet18", 4, 32, 36, 2, null, false, ["image", "text", "audio", "video"]);
        model = new FgCrossNetModel(config, config.CreateNetwork(true, out _), TorchSharp.torch.CPU) { Workers = 1 };
        indexPath = Path.Combine(root, "service.cmidx");
        // Inner product: scores are not bounded, so finite but huge query vectors can overflow them.
        // Seeds include pictures past the media limits (e.g. 22×1): the gallery leaves them out.
        using (var built = IndexBuilder.FromFolder(model, "", media, Metric.InnerProduct, skipBad: true)) built.Save(indexPath);
        index = EmbeddingIndex.Open(indexPath);
        dimension = index.Dimension;
        committed = index.Items().Select(i => i.Id).ToHashSet();
        var options = new ServiceOptions(Urls: "http://127.0.0.1:0", ApiKey: ApiKey, MaxBodyBytes: MaxBody, RequestsPerSecond: 0,
            MediaFolder: Path.Combine(root, "uploads"));
        app = SearchApp.Build(index, new QueryEncoder(model, dimension), options);
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(errors);
        app.StartAsync().GetAwaiter().GetResult();
        client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(6) };
    }

    private static byte[] PngSeed(Random rng)
    {
        Seed s;
        do s = SeedFiles.Picture(rng); while (!s.FileName.EndsWith(".png", StringComparison.Ordinal) || s.Bytes.Length > 4096);
        return s.Bytes;
    }

    public CaseResult Run(int caseIndex, Random rng, string dir)
    {
        var (request, what, upload) = MakeRequest(rng, dir);
        IFuzzTarget.Announce(what);
        errors.Last = null;
        // One connection per request: a pooled connection the server closed after an earlier (refused, oversized)
        // request would otherwise fail this one on the client side.
        request.Headers.ConnectionClose = true;
        long sent = request.Content?.ReadAsByteArrayAsync().GetAwaiter().GetResult().Length ?? 0;
        HttpResponseMessage response;
        string body;
        try
        {
            response = client.Send(request);
            body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        }
        catch (TaskCanceledException)
        {
            return new(Outcome.Hang, $"{what}: no answer within {client.Timeout.TotalSeconds:F0} s", "");
        }
        catch (HttpRequestException e) when (sent > 16 << 10)
        {
            // Kestrel may answer (413, 401, 415) before reading a large body and close the connection while the client still sends.
            return new(Outcome.Clean, what + ": connection closed while sending a large body", e.Message);
        }
        catch (HttpRequestException e)
        {
            return new(Outcome.Crash, what + ": connection closed without an answer", $"{sent} bytes sent; {e.Message} {e.InnerException?.Message}");
        }
        int status = (int)response.StatusCode;
        if (status >= 500)
        {
            var cause = errors.Last is { } e ? CaseResult.FromException("", e).Class.TrimStart(':', ' ') : "no exception logged";
            return new(Outcome.Crash, $"{what}: HTTP {status} ({cause})", CaseResult.Short(errors.Last?.Message ?? body));
        }
        if (status is >= 200 and < 300 && upload is { Decodable: false })
            return new(Outcome.Garbage, $"{what}: undecodable {upload.Extension} answered {status}", $"decoder says: {upload.Error}");
        if (response.StatusCode == HttpStatusCode.Created && request.RequestUri!.AbsolutePath == "/items")
        {
            var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
            if (!committed.Add(id)) return new(Outcome.Garbage, $"{what}: an id given to a second live item", $"id {id}");
        }
        if (response.StatusCode == HttpStatusCode.NoContent && request.Method == HttpMethod.Delete
            && long.TryParse(request.RequestUri!.AbsolutePath.Split('/')[^1], out var removed))
            committed.Remove(removed);
        return status < 400 ? CaseResult.Ok($"{what}: {status}") : new(Outcome.Clean, $"{what}: {status}", CaseResult.Short(body));
    }

    /// <summary>A media upload and what the library's own decoder says about its bytes.</summary>
    private sealed record Upload(string Extension, bool Decodable, string Error);

    private (HttpRequestMessage, string, Upload?) MakeRequest(Random rng, string dir)
    {
        int kind = rng.Next(100);
        Upload? upload = null;
        if (kind < 55)
        {
            bool add = kind >= 35;
            var node = new JsonObject();
            string what = add ? "POST /items" : "POST /search";
            switch (rng.Next(add ? 2 : 3))
            {
                case 0:
                    var seed = rng.Next(3) switch { 0 => SeedFiles.Text(rng), 1 => SeedFiles.Wav(rng), _ => SeedFiles.Picture(rng) };
                    var bytes = rng.Chance(0.25) ? seed.Bytes : Mutator.Mutate(rng, seed.Bytes, seed.Fields, seed.Text, []);
                    if (rng.Chance(0.03)) bytes = [];
                    var ext = Path.GetExtension(seed.FileName);
                    upload = Decode(dir, ext, bytes);
                    node["file"] = Convert.ToBase64String(bytes);
                    node["filename"] = rng.Chance(0.05) ? rng.Pick(new[] { "../../x.png", "a.exe", "", "x" }) : "upload" + ext;
                    what += " file";
                    break;
                case 1:
                    node["vector"] = new JsonArray(Enumerable.Range(0, rng.Chance(0.9) ? dimension : rng.Next(0, 10)).Select(_ => (JsonNode)(rng.NextDouble() * 2 - 1)).ToArray());
                    node["from"] = "embedding";
                    what += " vector";
                    break;
                default:
                    node["text"] = string.Join(' ', Enumerable.Range(0, 1 + rng.Next(6)).Select(_ => rng.Word(8)));
                    what += " text";
                    break;
            }
            if (add)
            {
                if (rng.Chance(0.5)) node["key"] = rng.Chance(0.05) ? new string('k', 70_000) : rng.Word(10);
                if (rng.Chance(0.3)) node["label"] = rng.Next(-1, 4);
                if (rng.Chance(0.2) && node["vector"] is not null) node["medium"] = rng.Pick(new[] { "image", "text", "vector", rng.Word(6) });
            }
            else
            {
                if (rng.Chance(0.5)) node["k"] = rng.Next(1, 20);
                if (rng.Chance(0.2)) node["medium"] = new JsonArray("image", "text");
            }
            string json = node.ToJsonString();
            if (rng.Chance(0.5))
            {
                json = MutateJson(rng, node, dimension);
                what += " mutated";
                upload = null; // the file may no longer be what was checked
            }
            var request = new HttpRequestMessage(HttpMethod.Post, add ? "/items" : "/search") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            if (add && rng.Chance(0.9)) request.Headers.Add(SearchApp.ApiKeyHeader, rng.Chance(0.95) ? ApiKey : "wrong");
            if (rng.Chance(0.05)) request.Content.Headers.ContentType = new MediaTypeHeaderValue(rng.Pick(new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded" }));
            return (request, what, upload);
        }
        if (kind < 63)
        {
            var id = rng.Chance(0.6) && committed.Count > 0 ? rng.Pick(committed.ToArray()) : rng.NextInt64(-3, 5000);
            var request = new HttpRequestMessage(HttpMethod.Delete, $"/items/{id}");
            if (rng.Chance(0.9)) request.Headers.Add(SearchApp.ApiKeyHeader, ApiKey);
            return (request, "DELETE /items/{id}", null);
        }
        if (kind < 73)
        {
            var id = rng.Chance(0.6) && committed.Count > 0 ? rng.Pick(committed.ToArray()).ToString() : rng.Pick(new[] { "-1", "abc", "99999999999999999999", "0x10", "1.5", "%00", "1;2" });
            return (new HttpRequestMessage(HttpMethod.Get, rng.Chance(0.5) ? $"/items/{id}" : $"/items/{id}/media"), "GET /items/{id}[/media]", null);
        }
        if (kind < 78)
            return (new HttpRequestMessage(HttpMethod.Get, rng.Pick(new[] { "/health", "/", "/app.js", "/openapi/v1.json", "/app.css" })), "GET page", null);
        if (kind < 86)
        {
            var method = new HttpMethod(rng.Pick(new[] { "PUT", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO", "GET", "DELETE", "POST" }));
            var path = rng.Pick(new[] { "/search", "/items", "/items/1", "/nope", "/../../etc/passwd", "/items/1/media/../../x", "/" + new string('a', 8000), "/health?x=" + new string('%', 3), "/search/" });
            var request = new HttpRequestMessage(method, path);
            if (method != HttpMethod.Get && method.Method != "HEAD" && method.Method != "TRACE" && rng.Chance(0.5)) request.Content = new ByteArrayContent(rng.Bytes(rng.Next(0, 200)));
            return (request, "odd method or path", null);
        }
        if (kind < 92)
        {
            // Multipart upload of (possibly corrupt) media.
            var seed = rng.Chance(0.5) ? SeedFiles.Picture(rng) : SeedFiles.Text(rng);
            var bytes = rng.Chance(0.3) ? seed.Bytes : Mutator.Mutate(rng, seed.Bytes, seed.Fields, seed.Text, []);
            var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", seed.FileName } };
            if (rng.Chance(0.5)) form.Add(new StringContent("5"), "k");
            var path = rng.Chance(0.5) ? "/search" : "/items";
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = form };
            request.Headers.Add(SearchApp.ApiKeyHeader, ApiKey);
            return (request, $"POST {path} multipart", Decode(dir, Path.GetExtension(seed.FileName), bytes));
        }
        if (kind < 96)
        {
            var size = MaxBody + rng.Next(1, 3 * MaxBody);
            var body = "{\"text\": \"" + new string('a', size) + "\"}";
            return (new HttpRequestMessage(HttpMethod.Post, "/search") { Content = new StringContent(body, Encoding.UTF8, "application/json") }, "oversized body", null);
        }
        // Raw bytes that are not JSON at all.
        return (new HttpRequestMessage(HttpMethod.Post, rng.Chance(0.5) ? "/search" : "/items")
        {
            Content = new ByteArrayContent(rng.Bytes(rng.Next(0, 512))) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        }, "POST raw bytes", null);
    }

    /// <summary>Whether the library's decoder reads these bytes (as the service would see them, by extension).</summary>
    private static Upload Decode(string dir, string ext, byte[] bytes)
    {
        var path = Path.Combine(dir, "check" + ext);
        File.WriteAllBytes(path, bytes);
        try
        {
            if (ext == ".txt") TextMedia.Read(path);
            else if (ext == ".wav") AudioDecoder.Decode(path);
            else ImageTransform.Preprocess(ImageDecoder.Decode(path, 36), MediaPreprocessing.Small(32, 36));
            return new Upload(ext, true, "");
        }
        catch (Exception e)
        {
            return new Upload(ext, false, CaseResult.Short(e.Message));
        }
    }

    /// <summary>Replaces or adds a field (a known one or an unknown one) with an odd JSON value.</summary>
    private static string MutateJson(Random rng, JsonObject node, int dimension)
    {
        var keys = node.Select(kv => kv.Key).Concat(["k", "vector", "from", "medium", "label", "key", "text", "unknown_field"]).ToArray();
        var key = rng.Pick(keys);
        // A finite vector of the index's dimension whose scores overflow float; or a huge k.
        var raw = key == "vector" && rng.Chance(0.3) ? "[" + string.Join(",", Enumerable.Repeat("3.4e38", dimension)) + "]"
            : key == "k" && rng.Chance(0.3) ? "100000" : Mutator.OddJson(rng);
        node[key] = Mutator.JsonMarker;
        return Mutator.RenderJson(node, raw);
    }

    public IEnumerable<(string Name, CaseResult Result)> Finish()
    {
        var results = new List<(string, CaseResult)>();
        try
        {
            var health = client.GetAsync("/health").GetAwaiter().GetResult();
            results.Add(("health", health.StatusCode == HttpStatusCode.OK ? CaseResult.Ok() : new(Outcome.Crash, $"/health answered {(int)health.StatusCode} after the run", "")));
            var missing = committed.Where(id => client.GetAsync($"/items/{id}").GetAwaiter().GetResult().StatusCode != HttpStatusCode.OK).ToArray();
            results.Add(("items-over-http", missing.Length == 0 ? CaseResult.Ok() : new(Outcome.Lost, "committed items missing over HTTP", $"{missing.Length} of {committed.Count}: ids {string.Join(",", missing.Take(8))}")));
            // The counts the service keeps as items come and go must match what was committed.
            int healthItems = JsonNode.Parse(health.Content.ReadAsStringAsync().GetAwaiter().GetResult())?["items"]?.GetValue<int>() ?? -1;
            int pageTotal = JsonNode.Parse(client.GetStringAsync("/items?limit=1").GetAwaiter().GetResult())?["total"]?.GetValue<int>() ?? -1;
            results.Add(("counts", healthItems == committed.Count && pageTotal == committed.Count ? CaseResult.Ok()
                : new(Outcome.Lost, "live item counts differ from the committed items", $"/health {healthItems}, GET /items total {pageTotal}, committed {committed.Count}")));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            results.Add(("health", new(Outcome.Crash, "service not answering after the run", e.Message)));
        }
        // Everything committed must still be there when the index is opened again (as after a restart).
        try
        {
            using var reopened = EmbeddingIndex.Open(indexPath);
            var ids = reopened.Items().Select(i => i.Id).ToHashSet();
            var missing = committed.Where(id => !ids.Contains(id)).ToArray();
            var extra = ids.Where(id => !committed.Contains(id)).ToArray();
            results.Add(("reopen", missing.Length > 0 ? new(Outcome.Lost, "committed items missing after reopening the index", $"{missing.Length} of {committed.Count}: ids {string.Join(",", missing.Take(8))}")
                : extra.Length > 0 ? new(Outcome.Lost, "committed removals undone after reopening the index", $"ids {string.Join(",", extra.Take(8))}")
                : CaseResult.Ok()));
        }
        catch (Exception e)
        {
            var r = CaseResult.FromException("reopen", e);
            results.Add(("reopen", r.Outcome == Outcome.Clean ? new(Outcome.Lost, "index unreadable after the run: " + r.Class, r.Detail) : r));
        }
        return results;
    }

    public void Dispose()
    {
        client.Dispose();
        app.StopAsync().GetAwaiter().GetResult();
        ((IAsyncDisposable)app).DisposeAsync().AsTask().GetAwaiter().GetResult();
        index.Dispose();
        model.Dispose();
        try { Directory.Delete(root, true); } catch (IOException) { }
    }
}
