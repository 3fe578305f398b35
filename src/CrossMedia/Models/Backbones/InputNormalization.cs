namespace CrossMedia.Models.Backbones;

/// <summary>
/// What a backbone expects its RGB input in [0, 1] to be normalised with: x' = (x − Mean[c]) / Std[c].
/// Pretrained weights fix it (ImageNet statistics for the torchvision-style ResNets, none for Darknet).
/// </summary>
/// <param name="Mean">Per-channel mean (R, G, B).</param>
/// <param name="Std">Per-channel standard deviation (R, G, B).</param>
public sealed record InputNormalization(float[] Mean, float[] Std)
{
    /// <summary>ImageNet statistics used by torchvision/timm ResNets.</summary>
    public static InputNormalization ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>Pixels scaled to 0–255 (the ONNX ImageNet ResNet-18, which subtracts its mean image itself).</summary>
    public static InputNormalization Pixel255 { get; } = new([0f, 0f, 0f], [1f / 255, 1f / 255, 1f / 255]);

    /// <summary>Pixels in [0, 1] as they are (Darknet).</summary>
    public static InputNormalization UnitRange { get; } = new([0f, 0f, 0f], [1f, 1f, 1f]);
}
