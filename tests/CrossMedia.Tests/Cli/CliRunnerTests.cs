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

    [Fact]
    public void Run_Should_NameALibrarySetting_ByTheOptionThatSetsIt()
    {
        // The library speaks of its settings ("backbone", "weights"); the command line of its options.
        var root = new Command("crossmedia");
        var train = new Command("train") { new Option<string>("--backbone"), new Option<string>("--pretrained") };
        int calls = 0;
        train.SetAction(new Func<ParseResult, int>(_ => (++calls) switch
        {
            1 => throw new InputException("backbone", "", "one of resnet18, resnet50", "'x'"),
            2 => throw new InputException("weights", "", "a weights file", "none"),
            _ => throw new InputException("data.json", "media", "an object", "null"),
        }));
        root.Subcommands.Add(train);
        Assert.Equal("error: --backbone: expected one of resnet18, resnet50, found 'x'", CliHarness.RunWith(root, "train").Err.Trim());
        Assert.Equal("error: --pretrained: expected a weights file, found none", CliHarness.RunWith(root, "train").Err.Trim());
        Assert.Equal("error: data.json: media: expected an object, found null", CliHarness.RunWith(root, "train").Err.Trim());
    }

    [Fact]
    public void LibraryMessages_Should_NameSettings_NotCommandLineOptions()
    {
        var e = Assert.Throws<InputException>(() => CrossMedia.Models.Backbones.BackboneRegistry.Create("nope", 3));
        Assert.StartsWith("backbone: expected one of ", e.Message);
    }
}
