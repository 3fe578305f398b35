namespace CrossMedia.Media;

/// <summary>How a picture is resized before the centre crop.</summary>
public enum ResizeMode
{
    /// <summary>Scale so the shorter side equals the resize size, keeping the aspect ratio (torchvision Resize(int)).</summary>
    ShorterSide,
    /// <summary>Scale to a square of the resize size, distorting the aspect ratio (the FGCrossNet reference's Resize((512, 512))).</summary>
    Square,
}
