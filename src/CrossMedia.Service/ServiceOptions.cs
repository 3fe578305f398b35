namespace CrossMedia.Service;

/// <summary>Settings of the search service.</summary>
/// <param name="Urls">Where to listen; loopback unless <paramref name="AllowRemote"/>.</param>
/// <param name="ApiKey">Key that POST/DELETE /items require (header X-Api-Key); null disables those endpoints.</param>
/// <param name="MaxK">Largest k a search may ask for.</param>
/// <param name="MaxBodyBytes">Largest request body (base64 files included); larger requests get 413.</param>
/// <param name="RequestsPerSecond">Requests per second per client address; 0 turns the limiter off.</param>
/// <param name="AllowRemote">Permit listening on non-loopback addresses.</param>
/// <param name="MediaFolder">Where uploaded media of POST /items are kept; null: beside the index file.</param>
/// <param name="AllowedHosts">Host names requests may carry (';'-separated, as ASP.NET's AllowedHosts); null: the
/// configuration's AllowedHosts, else loopback names for a loopback service and any host otherwise.</param>
/// <param name="RequestLog">Where one line per request goes (method, path, status, milliseconds); null: no request log.</param>
public sealed record ServiceOptions(
    string Urls = "http://127.0.0.1:5005",
    string? ApiKey = null,
    int MaxK = 100,
    long MaxBodyBytes = 16 << 20,
    int RequestsPerSecond = 100,
    bool AllowRemote = false,
    string? MediaFolder = null,
    string? AllowedHosts = null,
    TextWriter? RequestLog = null);
