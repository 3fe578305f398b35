using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrossMedia.Core;
using CrossMedia.Index;
using CrossMedia.Service;
using CrossMedia.Tests.Index;

namespace CrossMedia.Tests.Service;

public class SearchServiceTests
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Search_Should_ReturnItemsOfEveryMedium_AsTheIndexRanksThem()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        var response = await host.Client.PostAsync("/search", Json("""{"text": "bird", "k": 8}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var results = doc.GetProperty("results").EnumerateArray().ToArray();
        // Same ranking as the index searched directly with the model's embedding of the text.
        var expected = host.Index.Search(new Matrix(host.Model.TextVector("bird"), 1, 16), 8)[0];
        Assert.Equal(expected.Select(h => h.Item.Id), results.Select(r => r.GetProperty("id").GetInt64()));
        Assert.Equal(new[] { "audio", "image", "text", "video" }, results.Select(r => r.GetProperty("medium").GetString()).Distinct().Order());
        var text = results.First(r => r.GetProperty("key").GetString() == "birds/robin.txt");
        Assert.StartsWith("A red robin", text.GetProperty("snippet").GetString());
        var image = results.First(r => r.GetProperty("medium").GetString() == "image");
        var bytes = await host.Client.GetByteArrayAsync(image.GetProperty("media").GetString());
        Assert.Equal(File.ReadAllBytes(host.Index.Get(image.GetProperty("id").GetInt64())!.Source), bytes);
        var filtered = await host.Client.PostAsync("/search", Json("""{"text": "bird", "medium": ["image"], "k": 8}"""));
        var only = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync()).RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(2, only.Length);
        Assert.All(only, r => Assert.Equal("image", r.GetProperty("medium").GetString()));
    }

    [Fact]
    public async Task Search_Should_UseTheHnswGraph_AndBypassItWithExact()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        host.Index.SetAnn(new AnnSettings(ExpansionSearch: 200));
        var expected = host.Index.Search(new Matrix(host.Model.TextVector("bird"), 1, 16), 5, exact: true)[0].Select(h => h.Item.Id).ToArray();
        foreach (var exact in new[] { "true", "false" })
        {
            var response = await host.Client.PostAsync("/search", Json($$"""{"text": "bird", "k": 5, "exact": {{exact}}}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var results = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results").EnumerateArray();
            Assert.Equal(expected, results.Select(r => r.GetProperty("id").GetInt64()));
        }
    }

    [Fact]
    public async Task Search_Should_AcceptFilesAndVectors()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        var file = Convert.ToBase64String(HashingTestModel.TinyPng());
        var byFile = await host.Client.PostAsJsonAsync("/search", new { file, filename = "rock_drums.png", k = 1 });
        var top = JsonDocument.Parse(await byFile.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0];
        Assert.Equal("music/rock_drums.wav", top.GetProperty("key").GetString());
        var vector = host.Model.TextVector("Loud drums and a bass guitar play rock music.");
        var byVector = await host.Client.PostAsJsonAsync("/search", new { vector, from = "embedding", k = 1 });
        Assert.Equal("music/drums.txt", JsonDocument.Parse(await byVector.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0].GetProperty("key").GetString());
    }

    [Fact]
    public async Task Search_Should_AnswerAVectorWhoseInnerProductsOverflow_With400()
    {
        // Finite values whose products overflow float32: the scores were infinite and writing them as JSON failed (500).
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0), metric: Metric.InnerProduct);
        var vector = Enumerable.Repeat(3e38f, 16).ToArray();
        var response = await host.Client.PostAsJsonAsync("/search", new { vector, from = "embedding", k = 3 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("expected a vector of norm at most", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{"text": "bird", "k": 100000}""", 400)]
    [InlineData("""{"text": "bird", "k": 0}""", 400)]
    [InlineData("""{"text": "bird", "k": "ten"}""", 400)]
    [InlineData("""{"text": "bird""", 400)]
    [InlineData("""[1, 2, 3]""", 400)]
    [InlineData("""{}""", 400)]
    [InlineData("""{"text": "a", "vector": [1]}""", 400)]
    [InlineData("""{"vector": [1, 2, 3], "from": "embedding"}""", 400)]
    [InlineData("""{"vector": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1e39], "from": "embedding"}""", 400)]
    [InlineData("""{"file": "not base64!", "filename": "x.png"}""", 400)]
    [InlineData("""{"file": "AAAA", "filename": "x.exe"}""", 400)]
    [InlineData("""{"text": "bird", "medium": ["smell"]}""", 400)]
    [InlineData("""{"text": null, "vector": null}""", 400)]
    [InlineData("""{"vector": [1, 2, 3, 4, 5, 6], "from": "nope"}""", 400)]
    public async Task Search_Should_AnswerMalformedRequests_With4xxProblem(string body, int status)
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        var response = await host.Client.PostAsync("/search", Json(body));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Search_Should_Refuse_OversizedBodies_With413()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, MaxBodyBytes: 4096));
        var body = $$"""{"text": "{{new string('a', 10_000)}}"}""";
        var response = await host.Client.PostAsync("/search", Json(body));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Requests_Should_BeRateLimited_PerClient()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 3));
        var codes = new List<HttpStatusCode>();
        for (int i = 0; i < 6; i++) codes.Add((await host.Client.GetAsync("/health")).StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, codes);
        Assert.Equal(HttpStatusCode.OK, codes[0]);
    }

    [Fact]
    public async Task Items_Should_RequireTheApiKey_ForChanges()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, ApiKey: "s3cret"));
        var add = new { file = Convert.ToBase64String(HashingTestModel.TinyPng()), filename = "blue_whale.png" };
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.PostAsJsonAsync("/items", add)).StatusCode);
        var wrong = new HttpRequestMessage(HttpMethod.Post, "/items") { Content = JsonContent.Create(add) };
        wrong.Headers.Add(SearchApp.ApiKeyHeader, "guess");
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.SendAsync(wrong)).StatusCode);

        var ok = new HttpRequestMessage(HttpMethod.Post, "/items") { Content = JsonContent.Create(add) };
        ok.Headers.Add(SearchApp.ApiKeyHeader, "s3cret");
        var created = await host.Client.SendAsync(ok);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        long id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        Assert.Equal(8, id);
        var search = await host.Client.PostAsJsonAsync("/search", new { text = "blue whale", k = 1 });
        Assert.Equal(id, JsonDocument.Parse(await search.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0].GetProperty("id").GetInt64());
        Assert.Equal(HashingTestModel.TinyPng(), await host.Client.GetByteArrayAsync($"/items/{id}/media"));
        // Persisted in the index's log: a fresh open sees it.
        using (var reopened = EmbeddingIndex.Open(host.Index.Path!)) Assert.Equal("blue_whale.png", reopened.Get(id)!.Key);

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.DeleteAsync($"/items/{id}")).StatusCode);
        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/items/{id}");
        delete.Headers.Add(SearchApp.ApiKeyHeader, "s3cret");
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.SendAsync(delete)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/items/{id}")).StatusCode);
    }

    [Fact]
    public async Task Items_Should_BeReadOnly_WhenNoKeyIsConfigured()
    {
        var saved = Environment.GetEnvironmentVariable(SearchApp.ApiKeyEnvironment);
        Environment.SetEnvironmentVariable(SearchApp.ApiKeyEnvironment, null);
        try
        {
            await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
            var request = new HttpRequestMessage(HttpMethod.Delete, "/items/0");
            request.Headers.Add(SearchApp.ApiKeyHeader, "");
            Assert.Equal(HttpStatusCode.Forbidden, (await host.Client.SendAsync(request)).StatusCode);
            Assert.NotNull(host.Index.Get(0));
            var item = await host.Client.GetFromJsonAsync<JsonElement>("/items/0");
            Assert.Equal(0, item.GetProperty("id").GetInt64());
        }
        finally
        {
            Environment.SetEnvironmentVariable(SearchApp.ApiKeyEnvironment, saved);
        }
    }

    [Fact]
    public async Task Service_Should_DescribeItselfWithOpenApi_AndServeThePage()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        var openApi = await host.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = openApi.GetProperty("paths");
        foreach (var p in new[] { "/search", "/items/{id}", "/items", "/health" }) Assert.True(paths.TryGetProperty(p, out _), p);
        var page = await host.Client.GetStringAsync("/");
        Assert.Contains("<script src=\"/app.js\">", page);
        Assert.Contains("fetch(\"/search\"", await host.Client.GetStringAsync("/app.js"));
        var missing = await host.Client.GetAsync("/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void Build_Should_RefuseNonLoopbackAddresses_UnlessAllowed()
    {
        using var index = EmbeddingIndex.Create(new IndexHeader("", "", 4, Metric.Cosine, ["x"], []));
        var e = Assert.Throws<InputException>(() => SearchApp.Build(index, new QueryEncoder(null, 4), new ServiceOptions(Urls: "http://0.0.0.0:5005")));
        Assert.Contains("loopback", e.Message);
    }
}
