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
        ParseResult? parsed = null;
        try
        {
            parsed = root.Parse(args);
            if (parsed.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
            {
                foreach (var parseError in parsed.Errors) WriteError(error, parseError.Message);
                var command = parsed.CommandResult.Command;
                foreach (var token in parsed.UnmatchedTokens.Distinct())
                    if (Suggestion(command, token) is { } suggestion)
                        error.WriteLine($"'{token}': did you mean '{suggestion}'?");
                // A command's subject is an option (--dataset X, not X): a bare subject gets a pointer to its option.
                if (command.Subcommands.Count == 0 && parsed.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith('-')) is { } bare
                    && command.Options.FirstOrDefault(o => o.Required && !args.Any(a => a == o.Name || o.Aliases.Contains(a))) is { } subject)
                    error.WriteLine($"'{bare}': did you mean '{subject.Name} {bare}'?");
                error.WriteLine($"Run '{CommandPath(parsed.CommandResult)} --help' for usage.");
                return UserError;
            }
            return parsed.Invoke(config);
        }
        catch (Exception e) when (UserMessage(e, parsed?.CommandResult.Command) is { } message)
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
        // Says what happened and what to do (in the CLI's words: the learning rate is --lr); no type name needed.
        if (e is CrossMedia.Training.TrainingDivergedException) return e.Message + " (--lr)";
        var firstLine = e.Message.Split('\n', 2)[0].Trim(); // libtorch appends its native stack to the message
        return $"{e.GetType().Name}: {firstLine}";
    }

    /// <summary>
    /// The subcommand (or, for a token starting with '-', the option) of <paramref name="command"/> nearest to a
    /// mistyped <paramref name="token"/>: "trian" → "train", "--epoch" → "--epochs"; null when none is close.
    /// </summary>
    internal static string? Suggestion(Command command, string token)
    {
        var candidates = token.StartsWith('-')
            ? command.Options.Concat(AncestorsRecursiveOptions(command)).SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        // Close means at most a third of the token's letters changed (a transposition counts once), and at least one kept.
        int limit = Math.Max(1, token.TrimStart('-').Length / 3);
        return candidates.Distinct()
            .Select(c => (Name: c, Distance: EditDistance(token, c)))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name).FirstOrDefault();
    }

    /// <summary>Options such as --help that hold in every subcommand of the command that defines them.</summary>
    private static IEnumerable<Option> AncestorsRecursiveOptions(Command command) =>
        command.Parents.OfType<Command>().SelectMany(p => p.Options.Where(o => o.Recursive).Concat(AncestorsRecursiveOptions(p)));

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c) names.Insert(0, c.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>
    /// Library settings whose command-line option has another name; every other setting the library names
    /// (e.g. "backbone", "unseen") is the option of the same name.
    /// </summary>
    private static readonly Dictionary<string, string> OptionOfSetting = new()
    {
        ["learning-rate"] = "--lr",
        ["regularisation"] = "--cca-reg",
        ["weights"] = "--pretrained",
        ["expansion_add"] = "--expansion-add",
        ["expansion_search"] = "--expansion-search",
    };

    /// <summary>
    /// The option of <paramref name="command"/> that a library setting name stands for ("backbone" → "--backbone"),
    /// or null when the location is not one of its options (a file, a request field).
    /// </summary>
    internal static string? OptionFor(string location, Command? command)
    {
        if (command is null || location.Length == 0) return null;
        var flag = OptionOfSetting.GetValueOrDefault(location) ?? "--" + location;
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
            if (c.Options.Any(o => o.Name == flag || o.Aliases.Contains(flag))) return flag;
        return null;
    }

    /// <summary>
    /// The one-line message for errors a user can fix; null for bugs. The library names its settings in its own
    /// terms ("backbone: expected ..."); on the command line they read as the options that set them.
    /// </summary>
    public static string? UserMessage(Exception e, Command? command = null) => e switch
    {
        InputException ie => OptionFor(ie.Location, command) is { } flag ? ie.MessageFor(flag) : ie.Message,
        FileNotFoundException fe => $"{fe.FileName ?? "file"}: not found",
        DirectoryNotFoundException de => de.Message,
        UnauthorizedAccessException ue => ue.Message,
        CrossMedia.Index.IndexBusyException be => be.Message,
        AggregateException { InnerExceptions.Count: 1 } ae => UserMessage(ae.InnerException!, command),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => UserMessage(inner, command),
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
