namespace CrossMedia.Models.Backbones;

/// <summary>How <see cref="BackboneRegistry.Create(string, int, BackboneOptions?)"/> builds a backbone.</summary>
/// <param name="InputSize">Picture side in pixels the network is used at (ResNets: any ≥ 32; informative for the caller's preprocessing).</param>
/// <param name="WeightsPath">Pretrained weights: a safetensors file for ResNets (optional), the TF.js model directory or model.json for darknet-tiny (required: it holds the topology too).</param>
public sealed record BackboneOptions(int InputSize = 224, string? WeightsPath = null);
