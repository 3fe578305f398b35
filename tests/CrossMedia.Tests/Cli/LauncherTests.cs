using CrossMedia.Torch;

namespace CrossMedia.Tests.Cli;

/// <summary>
/// The `./crossmedia` launcher, run on a copy whose build output is the CLI next to the tests (its sources are
/// empty and older, so it never builds).
/// </summary>
public sealed class LauncherTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"cm-launcher-{Guid.NewGuid():N}");
    private readonly string _launcher;

    public LauncherTests()
    {
        var repository = Path.GetFullPath(Path.Combine(TestPaths.Fixtures, "..", "..", ".."));
        _launcher = Path.Combine(_root, "crossmedia");
        var bin = Path.Combine(_root, "src", "CrossMedia.Cli", "bin", "Release", "net10.0");
        Directory.CreateDirectory(bin);
        Directory.CreateSymbolicLink(Path.Combine(bin, "linux-x64"), AppContext.BaseDirectory.TrimEnd('/'));
        Directory.CreateDirectory(Path.Combine(_root, "build"));
        File.Copy(Path.Combine(repository, "crossmedia"), _launcher);
        foreach (var name in new[] { "Directory.Build.props", "Directory.Packages.props" }) File.WriteAllText(Path.Combine(_root, name), "");
        foreach (var path in Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.TopDirectoryOnly).Append(Path.Combine(_root, "src")))
            File.SetLastWriteTimeUtc(path, new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Launcher_Should_NameTheSignalInOneLine_WhenTheCliDiesInNativeCode()
    {
        // The probe command with an injected native division by zero: a real SIGFPE, as oneDNN's on some AMD EPYC CPUs.
        var (code, _, err) = ChildProcess.Run("bash", [_launcher, ConvolutionProbe.Command, "1"],
            new Dictionary<string, string?> { [ConvolutionProbe.FaultVariable] = "always" });
        Assert.Equal(128 + 8, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines, l => l.StartsWith("crossmedia:", StringComparison.Ordinal));
        Assert.Contains("died from SIGFPE (exit 136), a fault inside native code", line);
        Assert.Contains("CROSSMEDIA_MKLDNN=0", line);
        Assert.Contains("--threads 1", line);
        Assert.DoesNotContain("Floating point exception", err); // not bash's own report
        Assert.DoesNotContain("building", err);
    }

    [Fact]
    public void Launcher_Should_PassTheCliExitCodeThrough_WithoutComment()
    {
        var (code, _, err) = ChildProcess.Run("bash", [_launcher, "no-such-command"]);
        Assert.Equal(2, code);
        Assert.Contains("no-such-command", err);
        Assert.DoesNotContain("crossmedia:", err);
    }
}
