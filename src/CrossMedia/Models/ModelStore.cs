using System.Text.Json.Nodes;

namespace CrossMedia.Models;

/// <summary>
/// Loads a trained model from its directory. Every model directory holds <c>model.json</c> with at
/// least <c>{"method": "..."}</c>; the method picks the loader from an explicit registry.
/// </summary>
public static class ModelStore
{
    public const string ManifestFile = "model.json";

    /// <summary>Method name → loader taking the model directory. One line per method.</summary>
    private static readonly Dictionary<string, Func<string, IEmbeddingModel>> Loaders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cca"] = dir => Cca.CcaModel.Load(dir),
        [Jfse.JfseModel.MethodName] = dir => Jfse.JfseModel.Load(dir),
    };

    public static IReadOnlyCollection<string> KnownMethods => Loaders.Keys;

    public static IEmbeddingModel Load(string directory)
    {
        var manifest = Path.Combine(directory, ManifestFile);
        if (!File.Exists(manifest))
            throw new InputException(directory, ManifestFile, "a model directory written by 'crossmedia train'", "no model.json");
        string? method;
        try
        {
            method = JsonNode.Parse(File.ReadAllText(manifest))?["method"]?.GetValue<string>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new InputException(manifest, "method", "a JSON object with a string \"method\"", e.Message, e);
        }
        if (method is null || !Loaders.TryGetValue(method, out var load))
            throw new InputException(manifest, "method", $"one of {string.Join(", ", Loaders.Keys)}", method ?? "none");
        return load(directory);
    }
}
