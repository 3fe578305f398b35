namespace CrossMedia.Tests;

/// <summary>Locates the read-only ../shared folder by walking up from the test assembly.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Shared = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "data"))) return candidate;
        }
        throw new DirectoryNotFoundException($"no shared/data above {AppContext.BaseDirectory}");
    });

    /// <summary>shared/data.</summary>
    public static string SharedData => Path.Combine(Shared.Value, "data");

    /// <summary>shared/models.</summary>
    public static string SharedModels => Path.Combine(Shared.Value, "models");
}
