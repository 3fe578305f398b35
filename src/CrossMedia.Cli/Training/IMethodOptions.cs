using System.CommandLine;
using CrossMedia.Training;

namespace CrossMedia.Cli.Training;

/// <summary>
/// The options of one method `crossmedia train --method NAME` trains: they are listed in the method's own
/// section of `train --help` and refused with any other method. The library trains (<see cref="TrainingRun"/>).
/// </summary>
internal interface IMethodOptions
{
    /// <summary>Name given to --method.</summary>
    string Name { get; }

    /// <summary>The method's options, its own and those it shares with another method (<see cref="SharedTrainOptions"/>).</summary>
    IReadOnlyList<Option> Options { get; }

    /// <summary>The method with the options given on the command line.</summary>
    TrainingMethod Read(ParseResult parse);
}
