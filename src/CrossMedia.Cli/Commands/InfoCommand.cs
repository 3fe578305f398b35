using System.CommandLine;
using CrossMedia.Core;
using CrossMedia.Torch;
using TorchSharp;

namespace CrossMedia.Cli.Commands;

/// <summary>`crossmedia info`: version, libtorch, threads and devices.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print the version, the libtorch build, threads and available devices.");
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize();
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"crossmedia {BuildInfo.Version}");
            output.WriteLine($"libtorch threads: {torch.get_num_threads()}");
            output.WriteLine($"cuda available: {torch.cuda.is_available()}");
            using var x = torch.ones(2, 2);
            output.WriteLine($"torch check: sum(ones(2,2)) = {x.sum().item<float>()}");
            return 0;
        });
        return command;
    }
}
