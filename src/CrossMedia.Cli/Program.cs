using System.Globalization;
using CrossMedia.Cli;
using CrossMedia.Torch;

// The child process of the convolution probe (see ConvolutionProbe); not a user command, so not in --help.
if (args is [ConvolutionProbe.Command, var threads] && int.TryParse(threads, CultureInfo.InvariantCulture, out var n))
    return ConvolutionProbe.Run(Console.Out, n);
return CliRunner.Run(CliRunner.CreateRoot(), args);
