using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CrossMedia.Service;

/// <summary>
/// System.Text.Json's errors about a request body as one line that names the field and what it
/// should hold, in JSON terms (its own messages name .NET types, e.g. System.String[]).
/// </summary>
internal static partial class JsonErrors
{
    /// <summary>The problem with a request body of type <paramref name="contract"/> (null: unknown).</summary>
    public static InputException Describe(JsonException e, Type? contract)
    {
        // The reader's own errors (syntax) already speak JSON.
        if (IsSyntax(e)) return new InputException("request", "", "valid JSON", e.Message, e);
        if (UnknownField().Match(e.Message) is { Success: true } m && contract is not null)
            return new InputException("request", Quote(m.Groups[1].Value), $"one of the fields {string.Join(", ", FieldNames(contract))}",
                "an unknown field", e);
        var path = PathPattern().Match(e.Path ?? "");
        if (!path.Success || path.Groups["field"].Value == "")
            return new InputException("request", "", "a JSON object", "another JSON value", e);
        var field = path.Groups["field"].Value;
        var property = contract is null ? null : Fields(contract).FirstOrDefault(p => JsonName(p.Name) == field);
        if (property is null) return new InputException("request", field, "a valid value", "another JSON value", e);
        var type = property.PropertyType;
        if (path.Groups["index"].Success && type.IsArray) type = type.GetElementType()!;
        string found = e.InnerException is FormatException or OverflowException ? "a number out of that range" : "another JSON type";
        return new InputException("request", field + path.Groups["index"].Value, Expected(type), found, e);
    }

    /// <summary>Whether the body is not JSON at all (the reader's error, rethrown with the path).</summary>
    public static bool IsSyntax(JsonException e) => e.InnerException is JsonException;

    /// <summary>A name from the request, short and escaped.</summary>
    private static string Quote(string name) => JsonEncodedText.Encode(name.Length > 64 ? name[..64] + "…" : name).ToString();

    /// <summary>The JSON member names of a request contract, in declaration order.</summary>
    public static IReadOnlyList<string> FieldNames(Type contract) => Fields(contract).Select(p => JsonName(p.Name)).ToArray();

    private static IEnumerable<PropertyInfo> Fields(Type contract) => contract.GetProperties(BindingFlags.Public | BindingFlags.Instance);

    private static string JsonName(string name) => SearchApp.JsonNaming.ConvertName(name);

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray) return $"an array of {Plural(type.GetElementType()!)}";
        return type == typeof(string) ? "a string"
            : type == typeof(int) ? $"a whole number from {int.MinValue} to {int.MaxValue}"
            : type == typeof(long) ? "a whole number"
            : type == typeof(float) || type == typeof(double) ? "a number"
            : type == typeof(bool) ? "true or false"
            : "a JSON object";
    }

    private static string Plural(Type element) =>
        element == typeof(string) ? "strings" : element == typeof(int) || element == typeof(long) ? "whole numbers" : element == typeof(float) || element == typeof(double) ? "numbers" : "values";

    // "The JSON property 'x' could not be mapped to any .NET member contained in type '...'."
    [GeneratedRegex(@"^The JSON property '(.*)' could not be mapped", RegexOptions.Singleline)]
    private static partial Regex UnknownField();

    [GeneratedRegex(@"^\$(?:\.(?<field>[A-Za-z0-9_]+)(?<index>\[\d+\])?)?")]
    private static partial Regex PathPattern();
}
