using System.Globalization;

namespace CrossMedia.Bench;

/// <summary>"--key value" pairs with typed defaults.</summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public BenchArgs(string[] args)
    {
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"expected --key, found '{args[i]}'");
            _values[args[i][2..]] = args[i + 1];
        }
    }

    public string String(string key, string fallback) => _values.GetValueOrDefault(key, fallback);

    public int Int(string key, int fallback) =>
        _values.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string key, double fallback) =>
        _values.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
