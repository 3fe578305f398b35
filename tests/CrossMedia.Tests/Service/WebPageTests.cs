using CrossMedia.Service;
using Microsoft.Playwright;

namespace CrossMedia.Tests.Service;

/// <summary>Drives the web page in Debian's Chromium (headless, no browser download) through Playwright.</summary>
public class WebPageTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Page_Should_ShowResultCardsOfEveryMedium_ForATextSearch()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} missing: run scripts/install-deps.sh");
        await using var host = await ServiceHost.StartAsync(new ServiceOptions(RequestsPerSecond: 0));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 820 } });
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };
        await page.GotoAsync(host.BaseUrl);
        await page.WaitForSelectorAsync("#media-filter label");  // health loaded

        await page.FillAsync("#query-text", "bird");
        await page.ClickAsync("#search-button");
        await page.WaitForSelectorAsync(".card");

        var media = await page.Locator(".card").EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.medium)");
        Assert.Equal(8, media.Length);
        Assert.Equal(new[] { "audio", "image", "text", "video" }, media.Distinct().Order());
        // Thumbnails really loaded, players present, text snippets shown, scores printed.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.card img')].every(i => i.complete && i.naturalWidth > 0)");
        Assert.Equal(2, await page.Locator(".card audio").CountAsync());
        Assert.Equal(1, await page.Locator(".card video").CountAsync());
        Assert.Contains("A red robin bird", await page.Locator(".card .snippet").First.InnerTextAsync());
        Assert.Matches(@"^score -?\d\.\d{3}$", await page.Locator(".card .score").First.InnerTextAsync());
        Assert.Contains("8 results", await page.Locator("#status").InnerTextAsync());

        var shot = Path.Combine(AppContext.BaseDirectory, "search-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        Assert.True(new FileInfo(shot).Length > 10_000);
        Assert.Empty(consoleErrors);
    }
}
