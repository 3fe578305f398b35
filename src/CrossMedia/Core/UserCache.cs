namespace CrossMedia.Core;

/// <summary>Where CrossMedia keeps what it can rebuild (generated datasets, probe verdicts).</summary>
internal static class UserCache
{
    /// <summary>$XDG_CACHE_HOME/crossmedia, else ~/.cache/crossmedia, else the temp folder.</summary>
    public static string Root()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg)) return Path.Combine(xdg, "crossmedia");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? Path.Combine(Path.GetTempPath(), "crossmedia") : Path.Combine(home, ".cache", "crossmedia");
    }
}
