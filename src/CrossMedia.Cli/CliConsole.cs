using Spectre.Console;

namespace CrossMedia.Cli;

/// <summary>The Spectre console a command renders to: the terminal's own, or plain text for a redirected or captured output.</summary>
internal static class CliConsole
{
    public static IAnsiConsole For(TextWriter output)
    {
        if (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected) return AnsiConsole.Console;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 160; // tables are not cut at a narrow default width in files and logs
        return console;
    }
}
