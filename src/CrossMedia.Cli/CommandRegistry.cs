using System.CommandLine;
using CrossMedia.Cli.Commands;

namespace CrossMedia.Cli;

/// <summary>Every top-level command, in the order `--help` lists them. One line per command.</summary>
internal static class CommandRegistry
{
    public static IEnumerable<Command> All()
    {
        yield return InfoCommand.Create();
        yield return TrainCommand.Create();
        yield return EmbedCommand.Create();
        yield return FeaturesCommand.Create();
        yield return MapCommand.Create();
        yield return ResultsCommand.Create();
        yield return DataCommand.Create();
        yield return MediaCommand.Create();
        yield return IndexCommand.Create();
        yield return SearchCommand.Create();
        yield return ServeCommand.Create();
        yield return ClusterCommand.Create();
    }
}
