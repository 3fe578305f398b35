using System.Diagnostics;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Cli;

/// <summary>
/// The CLI as a child process (`dotnet CrossMedia.Cli.dll`, copied next to the tests), for the tests that
/// must kill a run; everything else runs it in-process through <see cref="CliHarness"/>.
/// </summary>
internal static class CliProcess
{
    /// <param name="environment">Extra environment variables for the child.</param>
    public static Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CrossMedia.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>Runs to the end (at most 3 minutes); its standard output goes to the test log too.</summary>
    public static (int Code, string Out, string Err) Run(IEnumerable<string> args, ITestOutputHelper output, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var p = Start(args, environment);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "the CLI did not finish");
        output.WriteLine(stdout.Result);
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Starts a training run writing to <paramref name="outDir"/> and kills it with SIGKILL (no clean-up
    /// code runs) as soon as its first checkpoint exists, i.e. inside the epoch after it.
    /// </summary>
    public static void KillAfterFirstCheckpoint(IEnumerable<string> args, string outDir)
    {
        using var victim = Start(args);
        _ = victim.StandardOutput.ReadToEndAsync();
        _ = victim.StandardError.ReadToEndAsync();
        var pointer = Path.Combine(outDir, "checkpoints", "latest.json");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(pointer) && !victim.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(5);
        Assert.False(victim.HasExited, "the run finished before it could be killed");
        victim.Kill();
        victim.WaitForExit();
    }
}
