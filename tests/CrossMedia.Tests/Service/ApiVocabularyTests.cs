using System.Net;
using System.Text;
using System.Text.Json;
using CrossMedia.Service;

namespace CrossMedia.Tests.Service;

/// <summary>
/// One vocabulary for the API: snake_case JSON members everywhere (answers and OpenAPI), one problem shape
/// (title, status, detail, and field when the problem is about one) for every 4xx, routing and binding included,
/// and a concise request log.
/// </summary>
public class ApiVocabularyTests
{
    private static readonly string[] ProblemMembers = ["title", "status", "detail", "field"];

    [Fact]
    public async Task Json_Should_BeSnakeCase_InAnswersAndOpenApi()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, MaxK: 42));
        var health = JsonDocument.Parse(await host.Client.GetStringAsync("/health")).RootElement;
        Assert.Equal(42, health.GetProperty("max_k").GetInt32());
        var openApi = await host.Client.GetStringAsync("/openapi/v1.json");
        Assert.Contains("\"max_k\"", openApi);
        Assert.DoesNotContain("\"maxK\"", openApi);
        Assert.DoesNotContain("traceId", openApi);
        // Every member name of every schema is snake_case.
        var schemas = JsonDocument.Parse(openApi).RootElement.GetProperty("components").GetProperty("schemas");
        foreach (var schema in schemas.EnumerateObject())
            if (schema.Value.TryGetProperty("properties", out var properties))
                foreach (var member in properties.EnumerateObject())
                    Assert.Matches("^[a-z][a-z0-9_]*$", member.Name);
        Assert.True(schemas.TryGetProperty(nameof(CrossMedia.Service.Contracts.ProblemResponse), out _), "the problem schema is not described");
    }

    [Theory]
    [InlineData("GET", "/nowhere", null, null, 404, null)]
    [InlineData("POST", "/health", null, null, 405, null)]
    [InlineData("GET", "/items/999", null, null, 404, null)]
    [InlineData("POST", "/search", """{"text": "bird"}""", "text/plain", 415, null)]
    [InlineData("POST", "/search", """{"text": "bird""", null, 400, null)]
    [InlineData("POST", "/search", """{"text": "bird", "k": "ten"}""", null, 400, "k")]
    [InlineData("POST", "/search", """{"text": "bird", "colour": "red"}""", null, 400, "colour")]
    [InlineData("POST", "/search", """{"text": "bird", "k": 0}""", null, 400, "k")]
    [InlineData("POST", "/search", """{"text": "bird", "vector": [1]}""", null, 400, null)]
    [InlineData("POST", "/search", """{"text": "bird", "medium": ["smell"]}""", null, 400, "medium")]
    [InlineData("DELETE", "/items/0", null, null, 403, null)]
    public async Task Problems_Should_HaveOneShape_ForEvery4xx(string method, string path, string? body, string? contentType, int status, string? field)
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType ?? "application/json");
        var response = await host.Client.SendAsync(request);
        AssertProblem(response, await response.Content.ReadAsStringAsync(), status, field);
    }

    [Fact]
    public async Task Problems_Should_HaveOneShape_ForARefusedHostName()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Host = "evil.example";
        var response = await host.Client.SendAsync(request);
        AssertProblem(response, await response.Content.ReadAsStringAsync(), 400, null);
    }

    private static void AssertProblem(HttpResponseMessage response, string text, int status, string? field)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        var members = problem.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.All(members, m => Assert.Contains(m, ProblemMembers));
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        var title = problem.GetProperty("title").GetString()!;
        Assert.Matches("^[A-Z]", title);
        Assert.DoesNotMatch("[a-z][A-Z]", title); // words, not an enum name: "Not found", never "NotFound"
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        if (field is null) Assert.DoesNotContain("field", members);
        else Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task RequestLog_Should_WriteOneLinePerRequest_WithMethodPathStatusAndMilliseconds()
    {
        var log = new StringWriter();
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, RequestLog: log));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health")).StatusCode);
        await host.Client.PostAsync("/search", new StringContent("""{"text": "bird", "k": 0}""", Encoding.UTF8, "application/json"));
        await host.Client.GetAsync("/nowhere");
        await host.App.StopAsync(); // waits for the requests in flight, so every line is written
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^GET /health 200 \d+\.\d ms$", lines[0]);
        Assert.Matches(@"^POST /search 400 \d+\.\d ms$", lines[1]);
        Assert.Matches(@"^GET /nowhere 404 \d+\.\d ms$", lines[2]);
    }
}
