using CrossMedia.Core;
using CrossMedia.Index;
using CrossMedia.Service;
using CrossMedia.Tests.Index;
using Microsoft.AspNetCore.Builder;

namespace CrossMedia.Tests.Service;

/// <summary>A running service on a free loopback port over an index of the test media folder.</summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    public string Root { get; }
    public string MediaFolder { get; }
    public EmbeddingIndex Index { get; }
    public HashingTestModel Model { get; } = new();
    public WebApplication App { get; }
    public HttpClient Client { get; }
    public string BaseUrl { get; }

    private ServiceHost(string root, string media, EmbeddingIndex index, WebApplication app, string baseUrl)
    {
        Root = root; MediaFolder = media; Index = index; App = app; BaseUrl = baseUrl;
        Client = new HttpClient { BaseAddress = new Uri(baseUrl) };
    }

    /// <param name="metric">The index's metric.</param>
    public static async Task<ServiceHost> StartAsync(ServiceOptions? options = null, Metric metric = Metric.Cosine)
    {
        var root = Directory.CreateTempSubdirectory("cm-service-").FullName;
        var media = HashingTestModel.MakeMediaFolder(Directory.CreateDirectory(Path.Combine(root, "media")).FullName);
        var model = new HashingTestModel();
        var built = IndexBuilder.FromFolder(model, "", media, metric);
        var path = Path.Combine(root, "media.cmidx");
        built.Save(path);
        built.Dispose();
        var index = EmbeddingIndex.Open(path);
        options ??= new ServiceOptions();
        options = options with { Urls = "http://127.0.0.1:0" };
        var app = SearchApp.Build(index, new QueryEncoder(model, index.Dimension), options);
        var urls = await SearchApp.StartAsync(app);
        var host = new ServiceHost(root, media, index, app, urls[0]);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Index.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
