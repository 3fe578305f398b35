using System.CommandLine;
using CrossMedia;
using Spectre.Console;

namespace CrossMedia.Cli;

/// <summary>
/// Runs the command line: user errors (<see cref="InputException"/>, missing files) become one red
/// line and exit code 2; never a stack trace.
/// </summary>
internal static class CliRunner
{
    public const int UserError = 2;

    public static int Run(RootCommand root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        if (stdout is not null) config.Output = stdout;
        if (stderr is not null) config.Error = stderr;
        var error = stderr ?? Console.Error;
        try
        {
            return root.Parse(args).Invoke(config);
        }
        catch (Exception e) when (UserMessage(e) is { } message)
        {
            WriteError(error, message);
            return UserError;
        }
    }

    /// <summary>The one-line message for errors a user can fix; null for bugs.</summary>
    public static string? UserMessage(Exception e) => e switch
    {
        InputException ie => ie.Message,
        FileNotFoundException fe => $"{fe.FileName ?? "file"}: not found",
        DirectoryNotFoundException de => de.Message,
        UnauthorizedAccessException ue => ue.Message,
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
