using System.CommandLine;
using CrossMedia.Cli;
using CrossMedia.Data;

namespace CrossMedia.Tests.Data;

public class DatasetOptionsTests
{
    [Fact]
    public void Resolve_Should_LoadTheDatasetNamedOnAnyCommand()
    {
        // How train/embed/index commands use it: add the options, then resolve with their own seed.
        var options = new DatasetOptions();
        var command = new Command("train");
        options.AddTo(command);
        var parse = command.Parse(["--dataset", "synthetic:classes=2,train=10,test=3", "--val-fraction", "0.2"]);
        Assert.Empty(parse.Errors);
        var d = options.Resolve(parse, seed: 5);
        Assert.Equal([8, 8], DatasetValidator.Counts(d["image"], Split.Train, 2));
        Assert.Equal([2, 2], DatasetValidator.Counts(d["image"], Split.Val, 2));
        Assert.Equal(0.1, command.Parse(["--dataset", "x"]).GetValue(options.ValFraction));
        Assert.NotEmpty(command.Parse([]).Errors); // --dataset is required
    }
}
