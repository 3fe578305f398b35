using CrossMedia.Cli;

namespace CrossMedia.Tests.Cli;

/// <summary>Runs the real command line in-process with captured output.</summary>
internal static class CliHarness
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliRunner.Run(CliRunner.CreateRoot(), args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
