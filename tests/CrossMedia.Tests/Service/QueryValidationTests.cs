using System.CommandLine;
using System.Text;
using System.Text.Json;
using CrossMedia.Cli.Commands;
using CrossMedia.Index;
using CrossMedia.Service;
using CrossMedia.Tests.Cli;
using CrossMedia.Tests.Index;

namespace CrossMedia.Tests.Service;

/// <summary>
/// A query is validated in one place (<see cref="Searcher"/>): the CLI's `search` and the service's POST /search
/// refuse the same query with the same message, and the index/model check is a library call.
/// </summary>
public class QueryValidationTests
{
    [Theory]
    [InlineData("""{"text": "bird", "vector": [1, 2]}""", new[] { "--text", "bird", "--vector", "V" }, "query: expected exactly one of text, file, vector or item, found several")]
    [InlineData("""{"from": "embedding"}""", new[] { "--from", "embedding" }, "query: expected exactly one of text, file, vector or item, found none")]
    [InlineData("""{"text": "bird", "medium": ["smell"]}""", new[] { "--text", "bird", "--medium", "smell" }, "query: medium: expected one of audio, image, text, video, found 'smell'")]
    [InlineData("""{"text": "bird", "k": 0}""", new[] { "--text", "bird", "--k", "0" }, "query: k: expected 1..")]
    public async Task CliAndService_Should_RefuseTheSameQuery_WithTheSameMessage(string body, string[] cliQuery, string message)
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        var response = await host.Client.PostAsync("/search", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith(message, detail);

        var vectors = Path.Combine(host.Root, "v.npy");
        CrossMedia.Data.Formats.NpyFile.Write(vectors, CrossMedia.Core.Matrix.FromRows([[1f, 2]]));
        var args = cliQuery.Select(a => a == "V" ? vectors : a).ToArray();
        var (code, _, err) = Search(host, args);
        Assert.Equal(2, code);
        var line = Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("error: " + message, line);
        if (!message.EndsWith("..")) Assert.Equal(detail, line["error: ".Length..]);
    }

    [Fact]
    public async Task CliMedium_Should_TakeACommaList_OrRepeatedOptions_AsTheApiArray()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        var api = await host.Client.PostAsync("/search", new StringContent("""{"text": "red bird", "medium": ["audio", "video"], "k": 10}""", Encoding.UTF8, "application/json"));
        var expected = JsonDocument.Parse(await api.Content.ReadAsStringAsync()).RootElement.GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("id").GetInt64()).ToArray();
        Assert.Equal(3, expected.Length); // 2 audio + 1 video in the test media folder

        foreach (var medium in new[] { new[] { "--medium", "audio,video" }, new[] { "--medium", "audio", "--medium", "video" } })
        {
            var (code, stdout, err) = Search(host, ["--text", "red bird", "--k", "10", "--json", .. medium]);
            Assert.True(code == 0, err);
            Assert.Equal(expected, JsonDocument.Parse(stdout).RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
        }
    }

    [Fact]
    public async Task Open_Should_RefuseAModelOfAnotherDimension_AsALibraryCall()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        var e = Assert.Throws<InputException>(() => Searcher.Open(host.Index, new HashingTestModel(dimension: 8), "other-model"));
        Assert.Equal("other-model: embedding dimension: expected 16 (the index's), found 8", e.Message);
    }

    private static (int Code, string Out, string Err) Search(ServiceHost host, string[] query) =>
        CliHarness.RunWith(new Command("crossmedia") { SearchCommand.Create(_ => new HashingTestModel()) },
            ["search", "--index", host.Index.Path!, "--model", "unused", .. query]);
}
