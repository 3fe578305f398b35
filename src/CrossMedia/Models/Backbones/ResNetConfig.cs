namespace CrossMedia.Models.Backbones;

/// <summary>Shape of a ResNet (He et al. 2016); the named configurations live in <see cref="ResNet"/>.</summary>
/// <param name="Name">Registry name, e.g. "resnet50".</param>
/// <param name="Layers">Residual blocks in each of the four stages, e.g. [3, 4, 6, 3].</param>
/// <param name="Bottleneck">True for 1×1–3×3–1×1 bottleneck blocks (expansion 4, ResNet-50/101); false for two 3×3 basic blocks.</param>
/// <param name="Classes">Classifier outputs.</param>
/// <param name="InputSize">Expected input side in pixels; informative (the network pools globally, so any side ≥ 32 works).</param>
/// <param name="ZeroInitLastNorm">Start each block's last BatchNorm scale at 0 so blocks begin as identities (torchvision's option; off by default).</param>
/// <param name="MeanImage">Subtract a per-pixel mean image (buffer <c>input_mean</c>, RGB, 0–255 scale) from input in 0–255: the ONNX ImageNet ResNet-18's preprocessing (<see cref="OnnxResNetImport"/>).</param>
public sealed record ResNetConfig(
    string Name,
    int[] Layers,
    bool Bottleneck,
    int Classes = 1000,
    int InputSize = 224,
    bool ZeroInitLastNorm = false,
    bool MeanImage = false);
