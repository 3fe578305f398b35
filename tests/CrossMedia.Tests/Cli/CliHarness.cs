using CrossMedia.Cli;

namespace CrossMedia.Tests.Cli;

/// <summary>Runs the real command line in-process with captured output.</summary>
internal static class CliHarness
{
    /// <summary>Runs `crossmedia ARGS` with every registered command.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args) => RunWith(CliRunner.CreateRoot(), args);

    /// <summary>Runs a given root (e.g. commands built with test doubles).</summary>
    public static (int Code, string Out, string Err) RunWith(System.CommandLine.Command root, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliRunner.Run(root, args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
