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

    /// <param name="realVideo">Replace the placeholder video with a real one-second clip made by ffmpeg.</param>
    /// <param name="metric">The index's metric.</param>
    public static async Task<ServiceHost> StartAsync(ServiceOptions? options = null, bool realVideo = false, IndexMetric metric = IndexMetric.Cosine)
    {
        var root = Directory.CreateTempSubdirectory("cm-service-").FullName;
        var media = HashingTestModel.MakeMediaFolder(Directory.CreateDirectory(Path.Combine(root, "media")).FullName);
        if (realVideo)
        {
            var video = Path.Combine(media, "birds", "flying_bird.mp4");
            File.Delete(video);
            var ffmpeg = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ffmpeg",
                ["-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10", "-pix_fmt", "yuv420p", video])
                { RedirectStandardError = true })!;
            await ffmpeg.WaitForExitAsync();
            if (ffmpeg.ExitCode != 0) throw new InvalidOperationException("ffmpeg failed: " + await ffmpeg.StandardError.ReadToEndAsync());
        }
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
