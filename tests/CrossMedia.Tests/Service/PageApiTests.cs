using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrossMedia.Service;

namespace CrossMedia.Tests.Service;

/// <summary>The API features the web page is built on: search by an item, the label filter, listing items,
/// spectrogram pictures, what /health tells the page, and the OpenAPI document.</summary>
public class PageApiTests
{
    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static long IdOf(ServiceHost host, string key) => host.Index.Items().Single(i => i.Key == key).Id;

    [Fact]
    public async Task Search_Should_UseAnItemsStoredVector_AndLeaveTheItemOut()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        long id = IdOf(host, "birds/red_bird.png");
        var response = await host.Client.PostAsJsonAsync("/search", new { item = id, k = 4 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ids = (await Json(response)).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToArray();
        // The index's own ranking for the item's vector, without the item (which ranks first with itself).
        var expected = host.Index.Search(host.Index.VectorOf(id)!, 5)[0].Select(h => h.Item.Id).Where(i => i != id).Take(4);
        Assert.Equal(expected, ids);
        Assert.DoesNotContain(id, ids);
    }

    [Theory]
    [InlineData("""{"item": 999}""", "item", "999")]
    [InlineData("""{"item": 1, "text": "bird"}""", "query", "several")]
    [InlineData("""{"text": "bird", "label": [7]}""", "label", "7")]
    [InlineData("""{"text": "bird", "label": [-2]}""", "label", "-2")]
    [InlineData("""{"text": "bird", "k": "10"}""", "k", "")]
    public async Task Search_Should_Refuse_AnUnknownItemOrLabel_NamingIt(string body, string field, string found)
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        var response = await host.Client.PostAsync("/search", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await Json(response)).GetProperty("detail").GetString()!;
        Assert.Contains(field, detail);
        Assert.Contains(found, detail);
    }

    [Fact]
    public async Task Search_Should_ReturnOnlyItemsOfTheChosenLabels()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        int music = host.Index.ClassNames.ToList().IndexOf("music");
        var unfiltered = (await Json(await host.Client.PostAsJsonAsync("/search", new { text = "bird", k = 20 }))).GetProperty("results");
        Assert.Contains(unfiltered.EnumerateArray(), r => r.GetProperty("class").GetString() != "music");
        var filtered = (await Json(await host.Client.PostAsJsonAsync("/search", new { text = "bird", label = new[] { music }, k = 20 }))).GetProperty("results");
        var expected = host.Index.Items().Count(i => i.Label == music);
        Assert.Equal(expected, filtered.GetArrayLength());
        Assert.All(filtered.EnumerateArray(), r => Assert.Equal("music", r.GetProperty("class").GetString()));
    }

    [Fact]
    public async Task Health_Should_TellTheQueryKinds_AndTheClassesWithCounts()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        var health = await Json(await host.Client.GetAsync("/health"));
        Assert.Equal(new[] { "text", "file", "vector", "item" }, health.GetProperty("queries").EnumerateArray().Select(q => q.GetString()));
        var classes = health.GetProperty("classes").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("items").GetInt32());
        var birds = host.Index.ClassNames.ToList().IndexOf("birds");
        Assert.Equal(host.Index.Items().Count(i => i.Label == birds), classes["birds"]);

        await using var vectors = await ServiceHost.StartFeatureIndexAsync();
        var vectorHealth = await Json(await vectors.Client.GetAsync("/health"));
        Assert.Equal(new[] { "vector", "item" }, vectorHealth.GetProperty("queries").EnumerateArray().Select(q => q.GetString()));
    }

    [Fact]
    public async Task Items_Should_ListAFilteredPage_InIdOrder()
    {
        await using var host = await ServiceHost.StartFeatureIndexAsync(perMedium: 6);
        var page = await Json(await host.Client.GetAsync("/items?medium=text&label=1&offset=1&limit=2"));
        var expected = host.Index.Items().Where(i => i.Medium == "text" && i.Label == 1).ToArray();
        Assert.Equal(expected.Length, page.GetProperty("total").GetInt32());
        Assert.Equal(expected.Skip(1).Take(2).Select(i => i.Id), page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        foreach (var bad in new[] { "/items?limit=0", "/items?offset=-1", "/items?medium=smell", "/items?label=9", "/items?limit=ten" })
            Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync(bad)).StatusCode);
    }

    [Fact]
    public async Task Spectrogram_Should_BeAPicture_OfAudioItemsOnly()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        long audio = IdOf(host, "birds/bird_song.wav");
        var item = await Json(await host.Client.GetAsync($"/items/{audio}"));
        Assert.Equal("audio", item.GetProperty("kind").GetString());
        var url = item.GetProperty("spectrogram").GetString()!;
        var response = await host.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        var png = await response.Content.ReadAsByteArrayAsync();
        using var bitmap = SkiaSharp.SKBitmap.Decode(png);
        Assert.Equal((384, 160), (bitmap.Width, bitmap.Height));
        long image = IdOf(host, "birds/red_bird.png");
        Assert.Equal(JsonValueKind.Null, (await Json(await host.Client.GetAsync($"/items/{image}"))).GetProperty("spectrogram").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/items/{image}/spectrogram")).StatusCode);
    }

    [Fact]
    public async Task OpenApi_Should_TypeNumbersAsNumbers_AndDescribeTheFields()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        var doc = await Json(await host.Client.GetAsync("/openapi/v1.json"));
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var request = schemas.GetProperty("SearchRequest").GetProperty("properties");
        var k = request.GetProperty(Field(request, "k"));
        Assert.DoesNotContain("string", k.GetProperty("type").ToString());
        Assert.Contains("integer", k.GetProperty("type").ToString());
        Assert.Contains("1..MaxK", k.GetProperty("description").GetString());
        Assert.Contains("item", request.GetProperty(Field(request, "item")).GetProperty("description").GetString());
        var score = schemas.GetProperty("ItemResponse").GetProperty("properties");
        Assert.DoesNotContain("string", score.GetProperty(Field(score, "score")).GetProperty("type").ToString());
        Assert.DoesNotContain("\"pattern\"", doc.ToString());  // numbers-as-strings patterns are gone

        // Every property of every contract of the service (not ASP.NET's ProblemDetails) says what it holds, and so do the query parameters.
        foreach (var schema in schemas.EnumerateObject().Where(s => s.Name != "ProblemDetails" && s.Value.TryGetProperty("properties", out _)))
            foreach (var property in schema.Value.GetProperty("properties").EnumerateObject())
                Assert.True(property.Value.TryGetProperty("description", out _), $"{schema.Name}.{property.Name} has no description");
        foreach (var parameter in doc.GetProperty("paths").GetProperty("/items").GetProperty("get").GetProperty("parameters").EnumerateArray())
            Assert.True(parameter.TryGetProperty("description", out _), $"GET /items parameter {parameter.GetProperty("name")} has no description");
    }

    /// <summary>The property's name as the document spells it (the JSON naming policy decides the case).</summary>
    private static string Field(JsonElement properties, string name) =>
        properties.EnumerateObject().First(p => string.Equals(p.Name.Replace("_", ""), name, StringComparison.OrdinalIgnoreCase)).Name;
}
