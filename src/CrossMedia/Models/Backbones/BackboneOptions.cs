namespace CrossMedia.Models.Backbones;

/// <summary>How <see cref="BackboneRegistry.Create(string, int, BackboneOptions?)"/> builds a backbone.</summary>
/// <param name="InputSize">Picture side in pixels the network is used at (ResNets: any ≥ 32; informative for the caller's preprocessing).</param>
/// <param name="WeightsPath">Pretrained weights: for ResNets a safetensors file, an ONNX ResNet (<c>.onnx</c>, <see cref="OnnxResNetImport"/>) or <see cref="ImageNet"/> (optional); the TF.js model directory or model.json for darknet-tiny (required: it holds the topology too).</param>
/// <param name="LoadWeights">False: build the architecture <paramref name="WeightsPath"/> implies (an ONNX ResNet has a mean image) without reading the weights — for a saved model whose own weights follow.</param>
public sealed record BackboneOptions(int InputSize = 224, string? WeightsPath = null, bool LoadWeights = true)
{
    /// <summary>The ImageNet ResNet-18 shipped with the build; stored by this name (not its path) so saved models move between outputs.</summary>
    public const string ImageNet = "imagenet";

    /// <summary>True when <paramref name="WeightsPath"/> is <see cref="ImageNet"/>.</summary>
    public bool IsShippedImageNet => string.Equals(WeightsPath, ImageNet, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="WeightsPath"/> names an ONNX file (or the shipped one).</summary>
    public bool IsOnnx => IsShippedImageNet || (WeightsPath is not null && WeightsPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase));
}
