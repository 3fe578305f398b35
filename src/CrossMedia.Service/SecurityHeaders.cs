using Microsoft.AspNetCore.Http;
using Scalar.AspNetCore;

namespace CrossMedia.Service;

/// <summary>
/// Response headers that keep a browser from running what the service serves: uploaded media are
/// user content (an SVG can carry script), so they get a sandboxing policy and, unless they are a
/// passive type a page shows inline, a download disposition.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>The web page: its own script, style, media and API only (blob: shows the chosen query file back).</summary>
    public const string PagePolicy =
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The interactive API page (/docs, Scalar): its scripts come from the service and its one inline script
    /// carries the per-request nonce; it injects styles at run time and draws icons from data: and blob: URLs.
    /// </summary>
    public static string ApiPagePolicy(string nonce) =>
        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
        "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Media files: nothing runs, nothing loads; a document opened from them is sandboxed.</summary>
    public const string MediaPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

    /// <summary>Middleware: every response, problems included, carries the headers (added when it starts, so a cleared response keeps them).</summary>
    public static Task Add(HttpContext ctx, RequestDelegate next)
    {
        var response = ctx.Response;
        response.OnStarting(() =>
        {
            var h = response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            if (string.IsNullOrEmpty(h.ContentSecurityPolicy))
                h.ContentSecurityPolicy = ctx.Items[ScalarOptions.NonceHttpContextItemKey] is string nonce ? ApiPagePolicy(nonce) : PagePolicy;
            return Task.CompletedTask;
        });
        return next(ctx);
    }

    /// <summary>The media policy for this response.</summary>
    public static void ForMedia(HttpResponse response) => response.Headers.ContentSecurityPolicy = MediaPolicy;

    /// <summary>
    /// Whether a media type may be shown inline: raster images (the page's result cards), audio,
    /// video and plain text. Anything else, SVG first of all, is served as an attachment.
    /// </summary>
    public static bool Inline(string contentType) =>
        contentType is "image/png" or "image/jpeg" or "image/gif" or "image/bmp" or "image/webp"
        || contentType.StartsWith("audio/", StringComparison.Ordinal)
        || contentType.StartsWith("video/", StringComparison.Ordinal)
        || contentType.StartsWith("text/plain", StringComparison.Ordinal);
}
