using SkiaSharp;

namespace CrossMedia.Data.Builtin;

/// <summary>
/// What makes one synthetic class recognisable in each medium: a shape and a hue (pictures and
/// videos), a motion direction (videos), a pitch and a tone-or-chirp (audio), and words (text).
/// </summary>
internal sealed record SyntheticMediaClass(int Index, string Name, string Shape, string Colour, float Hue,
    double Frequency, bool Chirp, double Direction, string[] Words)
{
    private static readonly string[] Shapes = ["circle", "square", "triangle", "star", "cross", "ring"];

    // Named hues (degrees) for the class's colour word.
    private static readonly (string Name, float Hue)[] Hues =
    [
        ("red", 0), ("orange", 30), ("yellow", 60), ("lime", 90), ("green", 120), ("teal", 150),
        ("cyan", 180), ("azure", 210), ("blue", 240), ("violet", 270), ("magenta", 300), ("pink", 330),
    ];

    private static readonly string[] Moods = ["calm", "bright", "quick", "heavy", "gentle", "sharp", "bold", "quiet"];

    public static SyntheticMediaClass Create(int index, int classes)
    {
        var shape = Shapes[index % Shapes.Length];
        float hue = 360f * index / classes;
        var colour = Hues.MinBy(h => Math.Min(Math.Abs(h.Hue - hue), 360 - Math.Abs(h.Hue - hue))).Name;
        // Pitches evenly spaced on the spectrogram's linear frequency axis, 800..6400 Hz: far enough apart
        // to stay distinct in a 32-pixel-high picture, above the rows the centre crop removes, and below
        // Nyquist (11,025 Hz) even after a chirp's glide up a fifth.
        double frequency = 800 + 5600.0 * index / Math.Max(1, classes - 1);
        bool chirp = index % 2 == 1;
        double direction = 2 * Math.PI * index / classes;
        var mood = Moods[index % Moods.Length];
        var sound = chirp ? "chirping" : "humming";
        return new SyntheticMediaClass(index, $"c{index}-{colour}-{shape}", shape, colour, hue, frequency, chirp, direction,
            [colour, shape, mood, sound]);
    }

    public SKColor Color(float hueJitter) => SKColor.FromHsv((Hue + hueJitter + 360) % 360, 85, 90);
}
