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

    private static string Format(string source, string field, string expected, string found) =>
        string.IsNullOrEmpty(field)
            ? $"{source}: expected {expected}, found {found}"
            : $"{source}: {field}: expected {expected}, found {found}";
}
