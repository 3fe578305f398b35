using System.CommandLine;
using CrossMedia;
using Spectre.Console;

namespace CrossMedia.Cli;

/// <summary>
/// Runs the command line: user errors (<see cref="InputException"/>, missing files) become one red
/// line and exit code 2; any other exception one line and exit code 1; never a stack trace.
/// </summary>
internal static class CliRunner
{
    public const int UserError = 2;
    public const int RuntimeError = 1;

    /// <summary>The root command with every registered command; named "crossmedia" as the launcher is.</summary>
    public static Command CreateRoot()
    {
        // A plain command rather than RootCommand, whose name would be the dll's ("CrossMedia.Cli").
        var help = new System.CommandLine.Help.HelpOption();
        help.Action = new SectionedHelpAction((System.CommandLine.Help.HelpAction)help.Action!); // train's options per method
        var root = new Command("crossmedia", "CrossMedia: cross-media retrieval (images, text, audio, video, feature vectors).")
        {
            help,
            new VersionOption(),
        };
        foreach (var command in CommandRegistry.All()) root.Subcommands.Add(command);
        return root;
    }

    public static int Run(Command root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        if (stdout is not null) config.Output = stdout;
        if (stderr is not null) config.Error = stderr;
        var error = stderr ?? Console.Error;
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
            {
                foreach (var parseError in parsed.Errors) WriteError(error, parseError.Message);
                error.WriteLine($"Run '{CommandPath(parsed.CommandResult)} --help' for usage.");
                return UserError;
            }
            return parsed.Invoke(config);
        }
        catch (Exception e) when (UserMessage(e) is { } message)
        {
            WriteError(error, message);
            return UserError;
        }
        catch (Exception e)
        {
            // Anything else (a libtorch error, a bug): one line rather than a stack trace and exit 134.
            WriteError(error, RuntimeMessage(e));
            return RuntimeError;
        }
    }

    /// <summary>"TypeName: first line of the message" of the innermost exception that says something.</summary>
    public static string RuntimeMessage(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && e.InnerException is not null)
            e = e.InnerException!;
        if (e is CrossMedia.Training.TrainingDivergedException) return e.Message; // says what happened and what to do: no type name needed
        var firstLine = e.Message.Split('\n', 2)[0].Trim(); // libtorch appends its native stack to the message
        return $"{e.GetType().Name}: {firstLine}";
    }

    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c) names.Insert(0, c.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>The one-line message for errors a user can fix; null for bugs.</summary>
    public static string? UserMessage(Exception e) => e switch
    {
        InputException ie => ie.Message,
        FileNotFoundException fe => $"{fe.FileName ?? "file"}: not found",
        DirectoryNotFoundException de => de.Message,
        UnauthorizedAccessException ue => ue.Message,
        CrossMedia.Index.IndexBusyException be => be.Message,
        AggregateException { InnerExceptions.Count: 1 } ae => UserMessage(ae.InnerException!),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => UserMessage(inner),
        _ => null,
    };

    public static void WriteError(TextWriter error, string message)
    {
        if (ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected)
            AnsiConsole.Console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        else
            error.WriteLine($"error: {message}");
    }
}
