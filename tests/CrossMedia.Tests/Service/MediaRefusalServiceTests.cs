using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrossMedia.Core;
using CrossMedia.Index;
using CrossMedia.Media;
using CrossMedia.Service;
using CrossMedia.Tests.Index;
using CrossMedia.Tests.Media;

namespace CrossMedia.Tests.Service;

/// <summary>
/// Issue 9, items 3 and 4, over HTTP without a key: undecodable uploads get 422 and uploads past a
/// limit 413, each a problem whose one-line detail names the limit, and no item is added. The
/// server's allocations across the request stay far below what decoding the file costs.
/// </summary>
// The memory bound counts every allocation of the process across the request (Kestrel serves it on other threads),
// so these run alone, in the collection that never runs beside another.
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class MediaRefusalServiceTests
{
    /// <summary>Allocations (all threads) allowed across one refused request; decoding any of these files takes 0.4 to 6 GB.</summary>
    private const long MemoryBound = 256L << 20;

    public static TheoryData<string, int, string> Cases => new()
    {
        { "claims_100000x100000.png", 413, "sides of at most 16384 pixels, found 100000x100000" },
        { "claims_10000x10000.png", 413, "at most 40 megapixels, found 10000x10000" },
        { "claims_1x100000.png", 413, "sides of at most 16384 pixels, found 1x100000" },
        { "claims_1x10000.png", 413, "an aspect ratio of at most 20:1, found 1x10000" },
        { "silence_7200s.flac", 413, "duration: expected at most 600 seconds, found 7200 seconds" },
        { "empty.png", 422, "an empty file" },
        { "empty.wav", 422, "an empty file" },
        { "empty.mp4", 422, "an empty file" },
        { "empty.txt", 422, "an empty file" },
        { "words.png", 422, "undecodable data" },
        { "words.wav", 422, "Invalid data found when processing input" },
    };

    private static byte[] Make(string name, string folder)
    {
        if (name.StartsWith("empty", StringComparison.Ordinal)) return [];
        if (name.StartsWith("words", StringComparison.Ordinal)) return "just some words"u8.ToArray();
        if (name.EndsWith(".flac", StringComparison.Ordinal)) return File.ReadAllBytes(HostileMedia.SilentFlac(Path.Combine(folder, name)));
        var size = name["claims_".Length..^".png".Length].Split('x').Select(int.Parse).ToArray();
        return HostileMedia.Png(size[0], size[1]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Search_Should_RefuseTheFile_NamingWhatIsWrong(string name, int status, string reason)
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, ApiKey: "s3cret"));
        var body = new { file = Convert.ToBase64String(Make(name, host.Root)), filename = name };
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var response = await host.Client.PostAsJsonAsync("/search", body);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        await AssertProblem(response, status, name, reason);
        Assert.True(allocated < MemoryBound, $"{allocated / 1e6:F0} MB allocated across the request");

        // The same file is not added either.
        var add = new HttpRequestMessage(HttpMethod.Post, "/items") { Content = JsonContent.Create(body) };
        add.Headers.Add(SearchApp.ApiKeyHeader, "s3cret");
        await AssertProblem(await host.Client.SendAsync(add), status, name, reason);
        Assert.Equal(8, host.Index.Count);
    }

    [Fact]
    public async Task Search_Should_Answer503AtOnce_WhenTheDecodeCapIsTaken()
    {
        using var files = new MediaTestFiles();
        using var model = new QueryEncoderMediaTests.CountingModel { Gate = new ManualResetEventSlim() };
        using var index = EmbeddingIndex.Create(new IndexHeader(model.Method, "", 16, Metric.Cosine, ["image"], []));
        var encoder = new QueryEncoder(model, 16, new MediaLimits { MaxConcurrentDecodes = 1 });
        await using var app = SearchApp.Build(index, encoder, new ServiceOptions(Urls: "http://127.0.0.1:0", RequestsPerSecond: 0));
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var body = new { file = Convert.ToBase64String(HashingTestModel.TinyPng()), filename = "bird.png" };

        var first = client.PostAsJsonAsync("/search", body);
        model.Entered.Wait();  // the first upload holds the only decode slot
        var busy = await client.PostAsJsonAsync("/search", body);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Equal("1", busy.Headers.RetryAfter?.ToString());
        Assert.Equal("1 media queries are in progress; try again shortly",
            JsonDocument.Parse(await busy.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/search", new { vector = new float[16], from = "embedding" })).StatusCode);

        model.Gate.Set();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/search", body)).StatusCode);
        await app.StopAsync();
    }

    private static async Task AssertProblem(HttpResponseMessage response, int status, string name, string reason)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith(name + ": ", detail);  // the client's name, not the server's temporary path
        Assert.Contains(reason, detail);
        Assert.DoesNotContain(Path.GetTempPath(), detail);
        Assert.DoesNotContain('\n', detail);
    }
}
