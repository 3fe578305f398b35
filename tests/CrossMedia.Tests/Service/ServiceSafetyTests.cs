using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrossMedia.Service;
using CrossMedia.Tests.Index;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace CrossMedia.Tests.Service;

/// <summary>What a hostile page or client can do to the service: uploaded script, DNS rebinding, leftovers, odd JSON.</summary>
public class ServiceSafetyTests
{
    private const string Key = "s3cret";

    private static async Task<HttpResponseMessage> Send(ServiceHost host, HttpMethod method, string path, object? body = null, string? host_ = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is string json) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        request.Headers.Add(SearchApp.ApiKeyHeader, Key);
        if (host_ is not null) request.Headers.Host = host_;
        return await host.Client.SendAsync(request);
    }

    private static async Task<long> Upload(ServiceHost host, byte[] bytes, string filename)
    {
        var created = await Send(host, HttpMethod.Post, "/items", new { file = Convert.ToBase64String(bytes), filename });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task Media_Should_CarrySecurityHeaders_AndServeSvgAsAnAttachment()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, ApiKey: Key));
        var svg = """<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><script>alert(document.domain)</script><rect width="8" height="8"/></svg>""";
        long svgId = await Upload(host, Encoding.UTF8.GetBytes(svg), "red_bird_drawing.svg");
        long pngId = await Upload(host, HashingTestModel.TinyPng(), "blue_whale.png");

        var svgResponse = await host.Client.GetAsync($"/items/{svgId}/media");
        Assert.Equal(HttpStatusCode.OK, svgResponse.StatusCode);
        Assert.Equal("attachment", svgResponse.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", svgResponse.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(SecurityHeaders.MediaPolicy, svgResponse.Headers.GetValues("Content-Security-Policy").Single());

        // Raster pictures stay inline (the page's result cards show them), still sandboxed and not sniffed.
        var pngResponse = await host.Client.GetAsync($"/items/{pngId}/media");
        Assert.Equal(HashingTestModel.TinyPng(), await pngResponse.Content.ReadAsByteArrayAsync());
        Assert.Null(pngResponse.Content.Headers.ContentDisposition);
        Assert.Equal("nosniff", pngResponse.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("sandbox", pngResponse.Headers.GetValues("Content-Security-Policy").Single());

        var page = await host.Client.GetAsync("/");
        Assert.Equal(SecurityHeaders.PagePolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        var problem = await host.Client.GetAsync("/items/999/media");
        Assert.Equal(HttpStatusCode.NotFound, problem.StatusCode);
        Assert.Equal("nosniff", problem.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData(null, "evil.example", HttpStatusCode.BadRequest)]
    [InlineData(null, "evil.example:80", HttpStatusCode.BadRequest)]
    [InlineData(null, "localhost", HttpStatusCode.OK)]
    [InlineData(null, "127.0.0.1:5005", HttpStatusCode.OK)]
    [InlineData(null, "[::1]:5005", HttpStatusCode.OK)]
    [InlineData("search.example.org", "search.example.org", HttpStatusCode.OK)]
    [InlineData("search.example.org", "evil.example", HttpStatusCode.BadRequest)]
    public async Task Service_Should_AnswerOnlyAllowedHostNames_AgainstDnsRebinding(string? allowed, string hostHeader, HttpStatusCode expected)
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, AllowedHosts: allowed));
        Assert.Equal(expected, (await Send(host, HttpMethod.Get, "/health", host_: hostHeader)).StatusCode);
    }

    [Fact]
    public async Task Start_Should_StopAndRefuse_WhenKestrelBoundANonLoopbackAddress()
    {
        // What the configuration check cannot see: the addresses are only known once Kestrel has bound them.
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://0.0.0.0:0");
        await using var app = builder.Build();
        var e = await Assert.ThrowsAsync<InputException>(() => Listening.StartAsync(app, allowRemote: false));
        Assert.Contains("loopback", e.Message);
        Assert.Contains("0.0.0.0", e.Message);
        using var client = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(app.Urls.First().Replace("0.0.0.0", "127.0.0.1")));
    }

    [Fact]
    public async Task Delete_Should_RemoveTheStoredUpload_ButNeverAUsersOwnFile()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, ApiKey: Key));
        long id = await Upload(host, HashingTestModel.TinyPng(), "blue_whale.png");
        var stored = host.Index.Get(id)!.Source;
        Assert.True(File.Exists(stored));
        Assert.Equal(HttpStatusCode.NoContent, (await Send(host, HttpMethod.Delete, $"/items/{id}")).StatusCode);
        Assert.False(File.Exists(stored));
        Assert.False(Directory.Exists(Path.GetDirectoryName(stored)));

        // An item from `index build` points at the user's own file: removing it from the index leaves the file.
        var own = host.Index.Get(0)!.Source;
        Assert.StartsWith(host.MediaFolder, own);
        Assert.Equal(HttpStatusCode.NoContent, (await Send(host, HttpMethod.Delete, "/items/0")).StatusCode);
        Assert.True(File.Exists(own));
    }

    [Theory]
    [InlineData("/search", """{"text": "bird", "medium": "audio"}""", "request: medium: expected an array of strings")]
    [InlineData("/search", """{"text": "bird", "k": "ten"}""", "request: k: expected a whole number")]
    [InlineData("/search", """{"vector": [1, "a"], "from": "embedding"}""", "request: vector[1]: expected a number")]
    [InlineData("/search", """{"text": "bird", "colour": "red"}""", "request: colour: expected one of the fields text, file, filename, vector, from, medium, k, item, label, exact, found an unknown field")]
    [InlineData("/search", """{"text": "bird", "k": 3, "\u0007<b>": 1}""", """request: \u0007\u003Cb\u003E: expected one of the fields""")]
    [InlineData("/items", """{"vector": [1, 2], "from": "embedding", "label": 1e10}""", "request: label: expected a whole number from -2147483648 to 2147483647, found a number out of that range")]
    [InlineData("/items", """{"vector": [1, 2], "from": "embedding", "label": null}""", "request: label: expected a whole number")]
    [InlineData("/items", """{"vector": [1, 2], "from": "embedding", "medium": ["audio"]}""", "request: medium: expected a string")]
    [InlineData("/items", """{"vector": [1, 2], "from": "embedding", "medum": "audio"}""", "request: medum: expected one of the fields key, file, filename, vector, from, medium, label")]
    [InlineData("/search", """[1, 2]""", "request: expected a JSON object")]
    public async Task Json_Should_NameTheFieldAndItsType_AndRejectUnknownFields(string path, string body, string message)
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, ApiKey: Key));
        int count = host.Index.Count;
        var response = await Send(host, HttpMethod.Post, path, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith(message, detail);
        Assert.DoesNotContain("System.", detail);
        Assert.Equal(count, host.Index.Count);
    }
}
