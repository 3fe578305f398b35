using System.Text.Json.Nodes;

namespace CrossMedia.Core;

/// <summary>A JSON object's leaves as dotted names → their text, for comparing settings records key by key.</summary>
internal static class JsonLeaves
{
    /// <summary>Strings as themselves, other leaves (numbers, booleans, arrays, null) as their JSON text.</summary>
    public static Dictionary<string, string> Flatten(JsonNode? node)
    {
        var leaves = new Dictionary<string, string>();
        void Walk(JsonNode? n, string name)
        {
            if (n is JsonObject o)
                foreach (var (key, child) in o) Walk(child, name.Length == 0 ? key : $"{name}.{key}");
            else leaves[name] = n is JsonValue v && v.TryGetValue<string>(out var text) ? text : n?.ToJsonString() ?? "null";
        }
        Walk(node, "");
        return leaves;
    }
}
