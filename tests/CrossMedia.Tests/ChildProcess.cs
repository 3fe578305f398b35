using System.Diagnostics;

namespace CrossMedia.Tests;

/// <summary>A program run to its end as a child process, for what must not run inside the test host (native faults, process-wide state).</summary>
internal static class ChildProcess
{
    /// <summary>The test assembly itself as a program (see <see cref="Program"/>).</summary>
    public static string TestsDll => typeof(Program).Assembly.Location;

    /// <summary>The CLI next to the tests.</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "CrossMedia.Cli.dll");

    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/> (a null environment value removes the variable), at most 3 minutes.</summary>
    public static (int Code, string Out, string Err) Run(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', psi.ArgumentList)} did not finish in 3 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a .NET program (`dotnet DLL ARGS`).</summary>
    public static (int Code, string Out, string Err) RunDotnet(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null) =>
        Run("dotnet", args.Prepend(dll), environment);
}
