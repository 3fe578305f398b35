using System.Net;
using System.Net.Http.Json;
using CrossMedia.Index;
using CrossMedia.Service;
using CrossMedia.Tests.Cli;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Service;

/// <summary>POST/DELETE /items while the CLI changes the same index in another process.</summary>
public sealed class ItemsWriteTests(ITestOutputHelper output)
{
    private const string Key = "s3cret";

    private static HttpRequestMessage Authorised(HttpMethod method, string url, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = JsonContent.Create(body);
        request.Headers.Add(SearchApp.ApiKeyHeader, Key);
        return request;
    }

    private static object Vector(string key, float value) => new { vector = Enumerable.Repeat(value, 16).ToArray(), from = "embedding", key };

    private void Cli(params string[] args)
    {
        var (code, _, err) = CliProcess.Run(args, output);
        Assert.True(code == 0, err);
    }

    [Fact]
    public async Task CliRemoval_WhileServing_Should_BeSeen_AndNotUndoneByTheServer()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, ApiKey: Key));
        var path = host.Index.Path!;
        Cli("index", "remove", "--index", path, "--id", "3");
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/items/3")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.SendAsync(Authorised(HttpMethod.Delete, "/items/4"))).StatusCode);
        using var reopened = EmbeddingIndex.Open(path);
        Assert.Null(reopened.Get(3));
        Assert.Null(reopened.Get(4));
        Assert.Equal(6, reopened.Count);
    }

    [Fact]
    public async Task Add_CliCompact_Add_Should_KeepBothAdds()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, ApiKey: Key));
        var path = host.Index.Path!;
        Assert.Equal(HttpStatusCode.Created, (await host.Client.SendAsync(Authorised(HttpMethod.Post, "/items", Vector("first", 1)))).StatusCode);
        Cli("index", "compact", "--index", path);
        Assert.Equal(HttpStatusCode.Created, (await host.Client.SendAsync(Authorised(HttpMethod.Post, "/items", Vector("second", 2)))).StatusCode);
        using var reopened = EmbeddingIndex.Open(path);
        Assert.Equal(10, reopened.Count);
        Assert.Equal("first", reopened.Get(8)!.Key);
        Assert.Equal("second", reopened.Get(9)!.Key);
    }

    [Fact]
    public async Task Add_Should_RefuseAKeyOrMediumOver64KiB_WithoutWritingIt()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, ApiKey: Key, MaxBodyBytes: 1 << 20));
        var huge = new string('k', IndexFile.MaxStringBytes + 1);
        var tooLongKey = await host.Client.SendAsync(Authorised(HttpMethod.Post, "/items", Vector(huge, 1)));
        Assert.Equal(HttpStatusCode.BadRequest, tooLongKey.StatusCode);
        Assert.Contains("key", await tooLongKey.Content.ReadAsStringAsync());
        var tooLongMedium = await host.Client.SendAsync(Authorised(HttpMethod.Post, "/items",
            new { vector = Enumerable.Repeat(1f, 16).ToArray(), from = "embedding", medium = huge }));
        Assert.Equal(HttpStatusCode.BadRequest, tooLongMedium.StatusCode);
        Assert.False(File.Exists(host.Index.Path + ".log"));
        Assert.Equal(HttpStatusCode.Created, (await host.Client.SendAsync(Authorised(HttpMethod.Post, "/items", Vector("fine", 1)))).StatusCode);
        using var reopened = EmbeddingIndex.Open(host.Index.Path!);
        Assert.Equal("fine", reopened.Get(8)!.Key);
    }

    [Fact]
    public async Task Changes_Should_Answer503_WhileAnotherWriterHoldsTheIndex()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0, ApiKey: Key));
        host.Index.LockWait = TimeSpan.Zero;
        using (IndexLock.Acquire(host.Index.Path!, TimeSpan.Zero))
        {
            var delete = await host.Client.SendAsync(Authorised(HttpMethod.Delete, "/items/1"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, delete.StatusCode);
            Assert.DoesNotContain(host.Root, await delete.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Client.SendAsync(Authorised(HttpMethod.Post, "/items", Vector("x", 1)))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/items/1")).StatusCode);  // reads go on
        }
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.SendAsync(Authorised(HttpMethod.Delete, "/items/1"))).StatusCode);
    }
}
