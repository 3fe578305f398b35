using System.Globalization;

namespace CrossMedia.Data;

/// <summary>
/// One "key=value" setting of a built-in dataset's parameter string (e.g. the
/// "classes=20,noise=0.3" in "synthetic:classes=20,noise=0.3"), with typed readers that throw an
/// <see cref="InputException"/> naming the dataset, the key and what was expected.
/// </summary>
public readonly record struct DatasetSpec(string Source, string Key, string Value)
{
    /// <summary>Splits "k1=v1,k2=v2"; keys are lower-cased.</summary>
    public static IEnumerable<DatasetSpec> Parse(string spec, string source)
    {
        foreach (var pair in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2) throw new InputException(source, pair, "key=value", $"'{pair}'");
            yield return new DatasetSpec(source, kv[0].ToLowerInvariant(), kv[1]);
        }
    }

    public int Int(int min = int.MinValue) =>
        int.TryParse(Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v : throw new InputException(Source, Key, min == int.MinValue ? "an integer" : $"an integer ≥ {min}", $"'{Value}'");

    public double Real(double min = double.NegativeInfinity) =>
        double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v : throw new InputException(Source, Key, min == 0 ? "a non-negative number" : "a number", $"'{Value}'");

    public bool Bool() => Value is "true" or "1" ? true : Value is "false" or "0" ? false
        : throw new InputException(Source, Key, "true or false", $"'{Value}'");

    /// <summary>A '+'-separated list, e.g. "image+text".</summary>
    public string[] List() => Value.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The error for a key the dataset does not know.</summary>
    public InputException Unknown(string knownKeys) => new(Source, Key, $"one of {knownKeys}", $"'{Key}'");
}
