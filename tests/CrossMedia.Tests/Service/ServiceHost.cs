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
        return await Serve(root, media, built, model, options);
    }

    /// <summary>A service over an index of feature vectors (no media files) of a model that takes only vectors:
    /// <paramref name="perMedium"/> items of media "image" and "text", labelled "cats" and "dogs" in turn.</summary>
    public static async Task<ServiceHost> StartFeatureIndexAsync(int perMedium = 6)
    {
        var root = Directory.CreateTempSubdirectory("cm-service-").FullName;
        const int dimension = 16;
        var model = new HashingTestModel(dimension, acceptsFiles: false);
        var built = EmbeddingIndex.Create(new IndexHeader(model.Method, "", dimension, Metric.Cosine, ["image", "text"], ["cats", "dogs"]));
        var rng = new Random(3);
        var items = new List<NewItem>();
        var rows = new List<float[]>();
        foreach (var medium in new[] { "image", "text" })
            for (int i = 0; i < perMedium; i++)
            {
                items.Add(new NewItem($"{medium}-{i}", medium, i % 2, ""));
                var v = Enumerable.Range(0, dimension).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
                var norm = MathF.Sqrt(v.Sum(x => x * x));
                rows.Add(v.Select(x => x / norm).ToArray());
            }
        built.Add(items, CrossMedia.Core.Matrix.FromRows(rows.ToArray()));
        return await Serve(root, root, built, model, new ServiceOptions(RequestsPerSecond: 0));
    }

    private static async Task<ServiceHost> Serve(string root, string media, EmbeddingIndex built, CrossMedia.Models.IEmbeddingModel model, ServiceOptions? options)
    {
        var path = Path.Combine(root, "index.cmidx");
        built.Save(path);
        built.Dispose();
        var index = EmbeddingIndex.Open(path);
        options ??= new ServiceOptions();
        options = options with { Urls = "http://127.0.0.1:0" };
        var app = SearchApp.Build(index, new QueryEncoder(model, index.Dimension), options);
        var urls = await SearchApp.StartAsync(app);
        return new ServiceHost(root, media, index, app, urls[0]);
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
