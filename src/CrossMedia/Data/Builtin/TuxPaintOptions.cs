using System.Globalization;

namespace CrossMedia.Data.Builtin;

/// <summary>How the TuxPaint stamps become a cross-media dataset.</summary>
public sealed record TuxPaintOptions
{
    /// <summary>Where Debian's tuxpaint-stamps-default puts the stamps.</summary>
    public const string DefaultStampsRoot = "/usr/share/tuxpaint/stamps";

    /// <summary>Folder holding &lt;category&gt;/&lt;sub-folders&gt;/ stamps.</summary>
    public string StampsRoot { get; init; } = DefaultStampsRoot;
    /// <summary>
    /// Folder depth that names a class: 1 = the top category (animals, food, ...); 2 = category/first
    /// sub-folder (animals/birds, ...; a stamp directly in a category keeps the category's name).
    /// </summary>
    public int LabelDepth { get; init; } = 1;
    /// <summary>Classes with fewer stamps than this are left out (too few to split and retrieve).</summary>
    public int MinStampsPerClass { get; init; } = 10;
    /// <summary>Keep at most this many stamps per class (0 = all), chosen by the seeded shuffle; for quick runs.</summary>
    public int MaxStampsPerClass { get; init; }
    /// <summary>Only these top categories (null = all).</summary>
    public IReadOnlyList<string>? Categories { get; init; }
    /// <summary>Fraction of each class's stamps in the validation split.</summary>
    public double ValFraction { get; init; } = 0.2;
    /// <summary>Fraction of each class's stamps in the test split.</summary>
    public double TestFraction { get; init; } = 0.2;
    /// <summary>Seed of the stratified split.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Also put the English spoken descriptions (*_desc.ogg/wav) into the audio medium (off: they are speech read from the text).</summary>
    public bool IncludeSpokenDescriptions { get; init; }
    /// <summary>Generate the "video-derived" medium (2-second pan and zoom over each picture, by ffmpeg).</summary>
    public bool DerivedVideo { get; init; } = true;
    /// <summary>Cache root for the derived videos (null = the synthetic-media default cache root).</summary>
    public string? CacheRoot { get; init; }
    /// <summary>Side of the derived videos, pixels (even).</summary>
    public int VideoSize { get; init; } = 224;
    /// <summary>Length of the derived videos, seconds.</summary>
    public double VideoSeconds { get; init; } = 2.0;
    /// <summary>Frame rate of the derived videos.</summary>
    public int VideoFps { get; init; } = 12;
    /// <summary>Videos generated at the same time.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>The parameters <see cref="With"/> reads, with their defaults.</summary>
    public static IReadOnlyList<DatasetParameter> Parameters { get; } = Describe(new TuxPaintOptions());

    private static DatasetParameter[] Describe(TuxPaintOptions d) =>
    [
        new("depth", Text(d.LabelDepth), "class = folder at this depth: 1 top category, 2 category/sub-folder"),
        new("min", Text(d.MinStampsPerClass), "leave out classes with fewer stamps"),
        new("max", Text(d.MaxStampsPerClass), "at most this many stamps per class, 0 = all"),
        new("seed", DatasetParameter.LoadSeed, "seed of the stratified train/val/test split"),
        new("spoken", d.IncludeSpokenDescriptions ? "true" : "false", "add the spoken descriptions to the audio medium"),
        new("video", d.DerivedVideo ? "true" : "false", "the video-derived medium (pan and zoom made by ffmpeg into the cache)"),
        new("video_size", Text(d.VideoSize), "side of the derived videos, pixels (even)"),
        new("seconds", Text(d.VideoSeconds), "length of the derived videos, seconds"),
        new("fps", Text(d.VideoFps), "frame rate of the derived videos"),
        new("categories", "all", "only these top categories, '+'-separated"),
    ];

    private static string Text(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>These options with "key=value,..." settings applied (keys: <see cref="Parameters"/>).</summary>
    public TuxPaintOptions With(string spec, string source = "tuxpaint")
    {
        var o = this;
        foreach (var setting in DatasetSpec.Parse(spec, source))
        {
            o = setting.Key switch
            {
                "depth" => o with { LabelDepth = setting.Int() },
                "min" => o with { MinStampsPerClass = setting.Int() },
                "max" => o with { MaxStampsPerClass = setting.Int() },
                "seed" => o with { Seed = setting.Int() },
                "spoken" => o with { IncludeSpokenDescriptions = setting.Bool() },
                "video" => o with { DerivedVideo = setting.Bool() },
                "video_size" => o with { VideoSize = setting.Int() },
                "seconds" => o with { VideoSeconds = setting.Real() },
                "fps" => o with { VideoFps = setting.Int() },
                "categories" => o with { Categories = setting.List() },
                _ => throw setting.Unknown(DatasetParameter.Keys(Parameters)),
            };
        }
        return o;
    }

    public void Validate()
    {
        void Check(bool ok, string field, string expected, object found)
        {
            if (!ok) throw new InputException("tuxpaint", field, expected, Convert.ToString(found, CultureInfo.InvariantCulture) ?? "");
        }
        Check(LabelDepth is 1 or 2, "label depth", "1 (top category) or 2 (category/sub-folder)", LabelDepth);
        Check(MinStampsPerClass >= 1, "min stamps per class", "at least 1", MinStampsPerClass);
        Check(MaxStampsPerClass >= 0, "max stamps per class", "0 (all) or more", MaxStampsPerClass);
        Check(ValFraction >= 0 && TestFraction > 0 && ValFraction + TestFraction < 1, "split fractions", "val ≥ 0, test > 0, val + test < 1", $"{ValFraction}/{TestFraction}");
        Check(VideoSize is >= 16 and <= 2048 && VideoSize % 2 == 0, "video size", "an even size 16 to 2048", VideoSize);
        Check(VideoSeconds is > 0 and <= 60, "video seconds", "0 to 60", VideoSeconds);
        Check(VideoFps is >= 1 and <= 60, "video fps", "1 to 60", VideoFps);
        Check(Workers >= 1, "workers", "at least 1", Workers);
    }
}
