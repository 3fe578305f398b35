namespace CrossMedia.Tests;

/// <summary>Locations of the shared read-only data and the committed test fixtures.</summary>
internal static class TestPaths
{
    /// <summary>The shared data folder (…/shared/data next to the repository), found by walking up from the test assembly.</summary>
    public static string SharedData { get; } = FindUp(Path.Combine("shared", "data"))
        ?? throw new DirectoryNotFoundException("no shared/data folder above " + AppContext.BaseDirectory);

    /// <summary>The shared models folder (…/shared/models: pretrained networks such as darknet-tiny-imagenet).</summary>
    public static string SharedModels { get; } = FindUp(Path.Combine("shared", "models"))
        ?? throw new DirectoryNotFoundException("no shared/models folder above " + AppContext.BaseDirectory);

    /// <summary>tests/CrossMedia.Tests/Fixtures in the source tree.</summary>
    public static string Fixtures { get; } = FindUp(Path.Combine("tests", "CrossMedia.Tests", "Fixtures"))
        ?? throw new DirectoryNotFoundException("no tests/CrossMedia.Tests/Fixtures folder above " + AppContext.BaseDirectory);

    /// <summary>src/CrossMedia, the library's source.</summary>
    public static string Library { get; } = FindUp(Path.Combine("src", "CrossMedia"))
        ?? throw new DirectoryNotFoundException("no src/CrossMedia folder above " + AppContext.BaseDirectory);

    private static string? FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
