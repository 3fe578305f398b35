using System.CommandLine;
using CrossMedia.Core;
using CrossMedia.Torch;
using TorchSharp;

namespace CrossMedia.Cli.Commands;

/// <summary>`crossmedia info`: version, libtorch, threads, devices and the convolution backends (after the probe, see <see cref="ConvolutionProbe"/>).</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print the version, the libtorch build, threads, available devices and convolution backends.");
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize();
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"crossmedia {BuildInfo.Version}");
            output.WriteLine($"libtorch threads: {torch.get_num_threads()}");
            output.WriteLine($"cuda available: {torch.cuda.is_available()}");
            using var x = torch.ones(2, 2);
            output.WriteLine($"torch check: sum(ones(2,2)) = {x.sum().item<float>()}");
            ConvolutionProbe.EnsureSafe();
            output.WriteLine($"convolutions: {NativeBackends.Describe()}");
            return 0;
        });
        return command;
    }
}
