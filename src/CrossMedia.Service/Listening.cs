using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;

namespace CrossMedia.Service;

/// <summary>
/// Where the service listens. The loopback rule (non-loopback only with AllowRemote) is checked on
/// every address the configuration asks for before anything binds (--urls, and Kestrel's own
/// endpoints, which replace --urls, e.g. from <c>Kestrel__Endpoints__E1__Url</c>), and again on
/// the addresses Kestrel really bound once it started.
/// </summary>
internal static partial class Listening
{
    /// <summary>Host names a loopback-only service answers (others are DNS-rebinding attempts).</summary>
    public const string LoopbackHosts = "localhost;127.0.0.1;[::1]";

    /// <summary>
    /// Checks every address the configuration asks for (the service's Urls and Kestrel:Endpoints:*:Url)
    /// before anything binds; true when all are loopback.
    /// </summary>
    public static bool CheckConfigured(ServiceOptions options, IConfiguration config)
    {
        var urls = Split(options.Urls).ToList();
        var endpoints = config.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>().ToList();
        Check(urls, options.AllowRemote, "");
        Check(endpoints, options.AllowRemote, " (from the configuration's Kestrel:Endpoints)");
        return urls.Concat(endpoints).All(IsLoopback);
    }

    /// <summary>Throws unless every address is a valid http(s) URL on loopback (or remote access is allowed).</summary>
    public static void Check(IEnumerable<string> urls, bool allowRemote, string origin)
    {
        foreach (var url in urls)
        {
            var uri = Parse(url) ?? throw new InputException("--urls", "", "http://HOST:PORT", $"'{url}'{origin}");
            if (!allowRemote && !IsLoopback(uri))
                throw new InputException("--urls", "", "a loopback address (127.0.0.1, [::1], localhost) unless --allow-remote is given", $"'{url}'{origin}");
        }
    }

    /// <summary>
    /// Starts the service and returns the addresses it listens on. A busy port and a non-loopback
    /// address that slipped past the configuration check are errors with one line.
    /// </summary>
    public static async Task<IReadOnlyList<string>> StartAsync(WebApplication app, bool allowRemote)
    {
        try
        {
            await app.StartAsync();
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            var where = BusyAddress().Match(e.Message) is { Success: true } m && Parse(m.Groups[1].Value) is { } uri
                ? $"port {uri.Port} on {uri.Host}" : "the port";
            throw new InputException("--urls", "", "a free port", $"{where} already in use by another process", e);
        }
        var bound = app.Urls.ToList();
        try
        {
            Check(bound, allowRemote, " (bound as configured)");
        }
        catch (InputException)
        {
            await app.StopAsync();
            throw;
        }
        return bound;
    }

    private static IEnumerable<string> Split(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool IsLoopback(string url) => Parse(url) is { } uri && IsLoopback(uri);

    private static bool IsLoopback(Uri uri) => uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>An http(s) URL, with Kestrel's wildcards (* and +) read as "every address".</summary>
    private static Uri? Parse(string url) =>
        Uri.TryCreate(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    // Kestrel's wording: "Failed to bind to address http://127.0.0.1:5005: address already in use."
    [GeneratedRegex(@"address (\S+): address already in use")]
    private static partial Regex BusyAddress();
}
