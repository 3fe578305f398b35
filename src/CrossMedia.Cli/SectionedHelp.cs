using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Globalization;

namespace CrossMedia.Cli;

/// <summary>
/// A command whose options fall into titled sections (train: one per method). Options of a section are
/// hidden from the default option list and written after it, section by section, by <see cref="SectionedHelpAction"/>.
/// </summary>
internal sealed class SectionedCommand(string name, string description) : Command(name, description)
{
    private readonly List<(string Title, IReadOnlyList<Option> Options)> _sections = [];

    public IReadOnlyList<(string Title, IReadOnlyList<Option> Options)> Sections => _sections;

    /// <summary>Adds a section; an option shared by several sections is added to the command once and listed in each.</summary>
    public void AddSection(string title, IReadOnlyList<Option> options)
    {
        foreach (var o in options.Where(o => !Options.Contains(o)))
        {
            o.Hidden = true;
            Options.Add(o);
        }
        _sections.Add((title, options));
    }
}

/// <summary>The default help, then the sections of a <see cref="SectionedCommand"/> in the same two-column layout.</summary>
internal sealed class SectionedHelpAction(HelpAction inner) : SynchronousCommandLineAction
{
    private const int Indent = 2, Gap = 2;

    public override int Invoke(ParseResult parse)
    {
        int code = inner.Invoke(parse);
        if (parse.CommandResult.Command is SectionedCommand command) Write(command, parse.InvocationConfiguration.Output);
        return code;
    }

    private int Width()
    {
        if (inner.MaxWidth > 0) return inner.MaxWidth;
        if (Console.IsOutputRedirected) return int.MaxValue;
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : int.MaxValue; }
        catch (IOException) { return int.MaxValue; }
    }

    private void Write(SectionedCommand command, TextWriter output)
    {
        var rows = command.Sections.SelectMany(s => s.Options).Distinct().ToDictionary(o => o, o => (Label(o), Text(o)));
        int first = rows.Values.Max(r => r.Item1.Length);
        int width = Width();
        foreach (var (title, options) in command.Sections)
        {
            output.WriteLine($"{title}:");
            foreach (var option in options)
            {
                var (label, text) = rows[option];
                var lines = Wrap(text, Math.Max(20, width - Indent - first - Gap));
                output.WriteLine(new string(' ', Indent) + label.PadRight(first + Gap) + lines[0]);
                foreach (var line in lines.Skip(1)) output.WriteLine(new string(' ', Indent + first + Gap) + line);
            }
            output.WriteLine();
        }
    }

    private static string Label(Option o) =>
        o.ValueType == typeof(bool) || o.ValueType == typeof(bool?) ? o.Name : $"{o.Name} <{o.HelpName ?? o.Name.TrimStart('-')}>";

    private static string Text(Option o)
    {
        var text = o.Description ?? "";
        if (o.HasDefaultValue && o.GetDefaultValue() is { } value)
            text += $" [default: {Convert.ToString(value, CultureInfo.InvariantCulture)}]";
        return text;
    }

    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line);
                line = word;
            }
            else line = line.Length == 0 ? word : line + " " + word;
        }
        lines.Add(line);
        return lines;
    }
}
