namespace CrossMedia.Media;

/// <summary>
/// The perceptually uniform sequential colour map 'magma' (van der Walt and Smith, 2015; the
/// table ships with matplotlib as `_magma_data`, from github.com/BIDS/colormap, CC0). Stored as
/// 16 control points — every 17th of the 256 published entries — and interpolated linearly;
/// the largest deviation from the full table is 2.3/255 per channel.
/// </summary>
internal static class MagmaColorMap
{
    // (position, R, G, B) = entry i/255 of the published 256-entry table, i = 0, 17, ..., 255.
    private static readonly (double T, float R, float G, float B)[] Points =
    [
        (0 / 255.0, 0.001462f, 0.000466f, 0.013866f),
        (17 / 255.0, 0.043830f, 0.033830f, 0.141886f),
        (34 / 255.0, 0.123833f, 0.067295f, 0.295879f),
        (51 / 255.0, 0.232077f, 0.059889f, 0.437695f),
        (68 / 255.0, 0.341482f, 0.080564f, 0.492631f),
        (85 / 255.0, 0.445163f, 0.122724f, 0.506901f),
        (102 / 255.0, 0.550287f, 0.161158f, 0.505719f),
        (119 / 255.0, 0.658483f, 0.196027f, 0.490253f),
        (136 / 255.0, 0.767398f, 0.233705f, 0.457755f),
        (153 / 255.0, 0.868793f, 0.287728f, 0.409303f),
        (170 / 255.0, 0.944006f, 0.377643f, 0.365136f),
        (187 / 255.0, 0.981000f, 0.498428f, 0.369734f),
        (204 / 255.0, 0.994738f, 0.624350f, 0.427397f),
        (221 / 255.0, 0.997228f, 0.747981f, 0.516859f),
        (238 / 255.0, 0.993170f, 0.870024f, 0.626189f),
        (255 / 255.0, 0.987053f, 0.991438f, 0.749504f),
    ];

    /// <summary>Colour (0..1 RGB) at position <paramref name="t"/>, clamped to 0..1.</summary>
    public static (float R, float G, float B) Map(double t)
    {
        if (double.IsNaN(t)) t = 0;
        t = Math.Clamp(t, 0, 1);
        int i = Math.Min((int)(t * (Points.Length - 1)), Points.Length - 2);
        var (t0, r0, g0, b0) = Points[i];
        var (t1, r1, g1, b1) = Points[i + 1];
        float u = (float)((t - t0) / (t1 - t0));
        return (r0 + u * (r1 - r0), g0 + u * (g1 - g0), b0 + u * (b1 - b0));
    }
}
