using System.Globalization;
using System.Text;

namespace CrossMedia;

/// <summary>
/// The one error type for bad user input: a file, option or request field that is not what
/// CrossMedia expected. The CLI prints <see cref="Exception.Message"/> as one line and exits
/// with code 2; the service answers 400 with it.
/// </summary>
public class InputException : Exception
{
    /// <summary>The file path, option name or request part at fault.</summary>
    public string Location { get; }
    /// <summary>Where inside it (a field, variable, line or column); may be empty.</summary>
    public string Field { get; }
    public string Expected { get; }
    public string Found { get; }

    public InputException(string source, string field, string expected, string found, Exception? inner = null)
        : base(Format(source, field, expected, found), inner)
    {
        Location = source;
        Field = field;
        Expected = expected;
        Found = found;
    }

    /// <summary>The same message with another name for <see cref="Location"/> (a program's name for a library setting).</summary>
    public string MessageFor(string location) => Format(location, Field, Expected, Found);

    /// <summary>Longest excerpt of user-supplied text that <see cref="Excerpt"/> quotes.</summary>
    public const int ExcerptLength = 20;

    /// <summary>
    /// User-supplied text (a line of a data file, a JSON value) as a short quoted excerpt for a
    /// message: at most <see cref="ExcerptLength"/> characters, control and format characters escaped,
    /// so an error never echoes a whole file or smuggles terminal escapes into a log.
    /// </summary>
    public static string Excerpt(string text) => "'" + Escape(text, ExcerptLength) + "'";

    /// <summary>
    /// Text that may carry user-supplied content (a parser's message quoting the input) made safe for a
    /// one-line message: at most <paramref name="max"/> characters, control and format characters escaped.
    /// </summary>
    public static string Escape(string text, int max)
    {
        var sb = new StringBuilder();
        int shown = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (shown++ == max) { sb.Append('…'); break; }
            switch (rune.Value)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                default:
                    if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                        sb.Append(rune.Value <= 0xFF ? $"\\x{rune.Value:x2}" : $"\\u{rune.Value:x4}");
                    else sb.Append(rune.ToString());
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Raw bytes of a file (a magic number, a header) as <see cref="Excerpt"/> text: Latin-1, so every byte shows.</summary>
    public static string Excerpt(ReadOnlySpan<byte> bytes) => Excerpt(Encoding.Latin1.GetString(bytes));

    private static string Format(string source, string field, string expected, string found) =>
        string.IsNullOrEmpty(field)
            ? $"{source}: expected {expected}, found {found}"
            : $"{source}: {field}: expected {expected}, found {found}";
}
