using CrossMedia.Service;
using CrossMedia.Tests.Index;
using Microsoft.Playwright;

namespace CrossMedia.Tests.Service;

/// <summary>
/// Drives the web page in Debian's Chromium (headless, no browser download) through Playwright.
/// Screenshots go to the test output folder's screenshots/ (one per test, to look at).
/// </summary>
public class WebPageTests
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>A headless page on the service, collecting console errors (a CSP violation is one).</summary>
    private sealed class Browser : IAsyncDisposable
    {
        private readonly IPlaywright playwright;
        private readonly IBrowser browser;
        public IPage Page { get; }
        public List<string> ConsoleErrors { get; } = [];

        private Browser(IPlaywright playwright, IBrowser browser, IPage page)
        {
            (this.playwright, this.browser, Page) = (playwright, browser, page);
            page.Console += (_, m) => { if (m.Type == "error") ConsoleErrors.Add(m.Text); };
        }

        public static async Task<Browser> OpenAsync(string url, int width = 1280, int height = 820)
        {
            Assert.True(File.Exists(Chromium), $"{Chromium} missing: run scripts/install-deps.sh");
            var playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
            var b = new Browser(playwright, browser, page);
            await page.GotoAsync(url);
            await page.WaitForSelectorAsync("#footer:not(:empty)");  // /health loaded
            return b;
        }

        public async Task ScreenshotAsync(string name, bool fullPage = true)
        {
            var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
            var shot = Path.Combine(folder, name + ".png");
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = fullPage });
            Assert.True(new FileInfo(shot).Length > 5_000);
        }

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    private static async Task SearchText(IPage page, string text)
    {
        await page.FillAsync("#query-text", text);
        await page.ClickAsync("#search-button");
        await page.WaitForSelectorAsync(".card");
    }

    private static Task<string[]> Texts(IPage page, string selector) =>
        page.Locator(selector).EvaluateAllAsync<string[]>("els => els.map(e => e.textContent.trim())");

    [Fact]
    public async Task Page_Should_ShowTheQueryBack_AndGroupResultsPerMediumWithCounts()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        await using var b = await Browser.OpenAsync(host.BaseUrl);
        var page = b.Page;
        await SearchText(page, "bird");

        Assert.Equal("bird", await page.Locator("#query .query-text").InnerTextAsync());
        // One section per medium, in the order the ranking first reaches it; its count is its number of cards.
        var sections = page.Locator("#results .group");
        Assert.Equal(new[] { "audio", "image", "text", "video" }, (await sections.EvaluateAllAsync<string[]>("s => s.map(x => x.dataset.medium)")).Order());
        for (int i = 0; i < await sections.CountAsync(); i++)
        {
            var section = sections.Nth(i);
            var medium = await section.GetAttributeAsync("data-medium");
            Assert.Equal(await section.Locator(".card").CountAsync(), int.Parse(await section.Locator(".group-head .count").InnerTextAsync()));
            Assert.All(await section.Locator(".card").EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.medium)"), m => Assert.Equal(medium, m));
        }
        Assert.Equal(8, await page.Locator(".card").CountAsync());
        // Thumbnails and spectrograms really loaded, players present, text snippets shown, scores and classes printed.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.card img')].every(i => i.complete && i.naturalWidth > 0)");
        Assert.Equal(2, await page.Locator(".card img.spectrogram").CountAsync());
        Assert.Equal(2, await page.Locator(".card audio").CountAsync());
        Assert.Equal(1, await page.Locator(".card video").CountAsync());
        var video = await page.Locator(".card video").BoundingBoxAsync();
        Assert.True(video!.Width >= 200 && video.Height >= 150, $"video {video.Width}x{video.Height}");
        Assert.Contains("A red robin bird", await page.Locator(".card .snippet").First.InnerTextAsync());
        Assert.Matches(@"^score -?\d\.\d{3}$", await page.Locator(".card .score").First.InnerTextAsync());
        Assert.Contains("birds", await Texts(page, ".card .tag"));
        Assert.Contains("8 results", await page.Locator("#status").InnerTextAsync());
        await b.ScreenshotAsync("text-search");
        Assert.Empty(b.ConsoleErrors);
    }

    [Fact]
    public async Task Page_Should_ShowAChosenFileBack_AndNeverMixItWithTypedText()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        await using var b = await Browser.OpenAsync(host.BaseUrl);
        var page = b.Page;
        await page.FillAsync("#query-text", "some words");
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "rock_drums.png", MimeType = "image/png", Buffer = HashingTestModel.TinyPng() });
        await page.WaitForSelectorAsync(".card");

        // The file replaced the words (cleared), the chip names it, and the query view shows the picture.
        Assert.Equal("", await page.InputValueAsync("#query-text"));
        Assert.Contains("rock_drums.png", await page.Locator("#file-chip").InnerTextAsync());
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('#query img'); return i && i.complete && i.naturalWidth === 24; }");
        Assert.Contains("rock_drums.png", await page.Locator("#query").InnerTextAsync());
        // The search was by the file: the top hit (the first card: groups come in ranking order) is the file of the
        // same name (the test model embeds file names).
        Assert.Equal("music/rock_drums.wav", await page.Locator(".card .key").First.InnerTextAsync());
        await b.ScreenshotAsync("file-search");

        // Typing drops the file: the next search is by the words.
        await page.FillAsync("#query-text", "bird");
        Assert.True(await page.Locator("#file-chip").IsHiddenAsync());
        await page.ClickAsync("#search-button");
        await page.WaitForFunctionAsync("() => document.querySelector('#query .query-text')?.textContent === 'bird'");
        Assert.Empty(b.ConsoleErrors);
    }

    [Fact]
    public async Task Page_Should_SearchWithAResult_WhenItIsClicked()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        await using var b = await Browser.OpenAsync(host.BaseUrl);
        var page = b.Page;
        await SearchText(page, "drums");
        var target = page.Locator(".card[data-medium=image]").First;
        var id = await target.GetAttributeAsync("data-id");
        var key = await target.Locator(".key").InnerTextAsync();
        await target.Locator("img").ClickAsync();

        // The clicked item is the query now (shown back), and the results are the index's neighbours of its vector.
        await page.WaitForFunctionAsync($"() => document.querySelector('#query .query-meta strong')?.textContent === '{key}'");
        await page.WaitForFunctionAsync($"() => ![...document.querySelectorAll('.card')].some(c => c.dataset.id === '{id}')");
        var itemId = long.Parse(id!);
        var expected = host.Index.Search(host.Index.VectorOf(itemId)!, 13)[0].Select(h => h.Item.Id.ToString()).Where(i => i != id).Take(12).Order();
        var shown = await page.Locator(".card").EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.id)");
        Assert.Equal(expected, shown.Order());
        Assert.Contains("item", await page.Locator("#query").InnerTextAsync());
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('img')].every(i => i.complete && i.naturalWidth > 0)");
        await b.ScreenshotAsync("click-to-search");
        Assert.Empty(b.ConsoleErrors);
    }

    [Fact]
    public async Task Page_Should_FilterResultsByClass()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        await using var b = await Browser.OpenAsync(host.BaseUrl);
        var page = b.Page;
        int music = host.Index.ClassNames.ToList().IndexOf("music");
        await page.SelectOptionAsync("#label-filter", music.ToString());
        await SearchText(page, "bird");
        var tags = await Texts(page, ".card .tag");
        Assert.Equal(host.Index.Items().Count(i => i.Label == music), tags.Length);
        Assert.All(tags, t => Assert.Equal("music", t));
        await b.ScreenshotAsync("class-filter");
        Assert.Empty(b.ConsoleErrors);
    }

    [Fact]
    public async Task Page_Should_KeepTheSearchBarInside_A400PxWideWindow()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        await using var b = await Browser.OpenAsync(host.BaseUrl, width: 400, height: 800);
        var page = b.Page;
        await SearchText(page, "bird");
        await AssertInside(page, "after a text search");
        await b.ScreenshotAsync("narrow-text");
        // A long file name must not push the button out either.
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "a_very_long_file_name_of_a_red_bird_picture_taken_in_the_garden.png", MimeType = "image/png", Buffer = HashingTestModel.TinyPng() });
        await page.WaitForSelectorAsync("#query img");
        await AssertInside(page, "with a long file name");
        await b.ScreenshotAsync("narrow-file");
        Assert.Empty(b.ConsoleErrors);
    }

    private static async Task AssertInside(IPage page, string when)
    {
        foreach (var selector in new[] { "#search-button", "#query-text", "#drop" })
        {
            var box = await page.Locator(selector).BoundingBoxAsync();
            Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= 400, $"{selector} {when}: x {box?.X}, width {box?.Width}");
        }
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 400, $"the page scrolls sideways {when}");
    }

    [Fact]
    public async Task Page_Should_OfferTheIndexsItems_ForAnIndexOfFeatureVectors()
    {
        await using var host = await ServiceHost.StartFeatureIndexAsync(perMedium: 6);
        await using var b = await Browser.OpenAsync(host.BaseUrl);
        var page = b.Page;
        // No text box to type words into that the model cannot take: the items are listed to pick from.
        await page.WaitForSelectorAsync(".card");
        Assert.Equal("Item id", await page.GetAttributeAsync("#query-text", "aria-label"));
        Assert.True(await page.Locator("#file-pick").IsHiddenAsync());
        Assert.Equal(12, await page.Locator(".card").CountAsync());
        await b.ScreenshotAsync("vectors-browse");

        var target = page.Locator(".card[data-medium=text]").Nth(2);
        var id = await target.GetAttributeAsync("data-id");
        await target.ClickAsync();
        await page.WaitForSelectorAsync("#results .group");
        Assert.Contains($"#{id}", await page.Locator("#query").InnerTextAsync());
        var expected = host.Index.Search(host.Index.VectorOf(long.Parse(id!))!, 13)[0].Select(h => h.Item.Id.ToString()).Where(i => i != id).Order();
        Assert.Equal(expected, (await page.Locator(".card").EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.id)")).Order());

        // Typing an id searches with that item.
        await page.FillAsync("#query-text", "3");
        await page.ClickAsync("#search-button");
        await page.WaitForFunctionAsync("() => document.querySelector('#query')?.textContent.includes('#3')");
        await b.ScreenshotAsync("vectors-item-search");
        Assert.Empty(b.ConsoleErrors);
    }

    [Fact]
    public async Task ApiPage_Should_Render_FromTheServiceAlone_UnderItsContentSecurityPolicy()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        await using var b = await Browser.OpenAsync(host.BaseUrl);
        var page = b.Page;
        var elsewhere = new List<string>();
        await page.RouteAsync("**/*", async route =>
        {
            if (new Uri(route.Request.Url).Host is "127.0.0.1" or "localhost" || route.Request.Url.StartsWith("data:") || route.Request.Url.StartsWith("blob:"))
                await route.ContinueAsync();
            else
            {
                elsewhere.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });
        await page.GotoAsync(host.BaseUrl.TrimEnd('/') + "/docs");
        await page.GetByText("/search").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await page.GetByText("Nearest items of every medium").First.WaitForAsync();
        await b.ScreenshotAsync("api-page", fullPage: false);
        Assert.Empty(elsewhere);
        Assert.DoesNotContain(b.ConsoleErrors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }
}
