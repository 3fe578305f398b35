using System.CommandLine;
using CrossMedia.Cli;
using CrossMedia.Cli.Commands;

var root = new RootCommand("CrossMedia: cross-media retrieval (images, text, audio, video, feature vectors).");
foreach (var command in CommandRegistry.All()) root.Subcommands.Add(command);
return CliRunner.Run(root, args);
