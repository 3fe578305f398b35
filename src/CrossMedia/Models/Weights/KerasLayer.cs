using System.Text.Json.Nodes;

namespace CrossMedia.Models.Weights;

/// <summary>One layer of a Keras topology.</summary>
/// <param name="ClassName">Keras class, e.g. "Conv2D".</param>
/// <param name="Name">Layer name, also the prefix of its weights ("conv2d_1/kernel").</param>
/// <param name="Config">The layer's Keras config object as written in the file.</param>
/// <param name="Inputs">Names of the layers feeding it (empty for the input layer).</param>
internal sealed record KerasLayer(string ClassName, string Name, JsonObject Config, IReadOnlyList<string> Inputs);
