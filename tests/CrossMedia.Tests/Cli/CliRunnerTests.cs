using System.CommandLine;
using CrossMedia.Cli;

namespace CrossMedia.Tests.Cli;

public class CliRunnerTests
{
    [Fact]
    public void Run_Should_ReportAnUnexpectedException_InOneLine_WithExitCode1()
    {
        var root = new Command("crossmedia");
        var fail = new Command("fail");
        fail.SetAction(new Func<ParseResult, int>(_ => throw new InvalidOperationException("libtorch said no\n  frame #0: at::native::something\n  frame #1: ...")));
        root.Subcommands.Add(fail);
        var (code, _, err) = CliHarness.RunWith(root, "fail");
        Assert.Equal(CliRunner.RuntimeError, code);
        Assert.Equal("error: InvalidOperationException: libtorch said no", err.Trim());
    }
}
