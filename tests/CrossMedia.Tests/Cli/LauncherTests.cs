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

    /// <summary>Issue 12, item 4: a build shows its progress (restore, then each project as it is built), not one line for minutes.</summary>
    [Fact]
    public void Launcher_Should_ShowTheBuildsProgress_OneLinePerProject()
    {
        // A stale CLI (a source file newer than it) and a stand-in dotnet that "builds" with MSBuild's minimal output.
        var bin = Path.Combine(_root, "src", "CrossMedia.Cli", "bin", "Release", "net10.0", "linux-x64");
        new DirectoryInfo(bin).Delete(); // the link to the real CLI: this test runs none
        Directory.CreateDirectory(bin);
        var dll = Path.Combine(bin, "CrossMedia.Cli.dll");
        File.WriteAllText(dll, "");
        File.SetLastWriteTimeUtc(dll, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.WriteAllText(Path.Combine(_root, "src", "Changed.cs"), "");
        var fakeBin = Directory.CreateDirectory(Path.Combine(_root, "fake-bin")).FullName;
        var dotnet = Path.Combine(fakeBin, "dotnet");
        File.WriteAllText(dotnet, """
            #!/usr/bin/env bash
            if [[ "$1" == build ]]; then
              printf '  Determining projects to restore...\n  Restored /x/src/CrossMedia/CrossMedia.csproj (in 1.2 sec).\n'
              printf '  CrossMedia -> /x/src/CrossMedia/bin/Release/net10.0/CrossMedia.dll\n'
              printf '  CrossMedia.Cli -> /x/src/CrossMedia.Cli/bin/Release/net10.0/linux-x64/CrossMedia.Cli.dll\n'
              exit 0
            fi
            echo "ran $(basename "$1") ${*:2}"
            """);
        Assert.Equal(0, ChildProcess.Run("chmod", ["+x", dotnet]).Code);

        var (code, output, err) = ChildProcess.Run("bash", [_launcher, "info"],
            new Dictionary<string, string?> { ["PATH"] = fakeBin + ":" + Environment.GetEnvironmentVariable("PATH") });

        Assert.Equal(0, code);
        Assert.Equal("ran CrossMedia.Cli.dll info", output.Trim());
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^crossmedia: building the CLI", lines[0]);
        Assert.Matches(@"^crossmedia: \[\d+ s\] restored CrossMedia$", lines[1]);
        Assert.Matches(@"^crossmedia: \[\d+ s\] built CrossMedia$", lines[2]);
        Assert.Matches(@"^crossmedia: \[\d+ s\] built CrossMedia.Cli$", lines[3]);
        Assert.Equal(4, lines.Length);
    }
}
