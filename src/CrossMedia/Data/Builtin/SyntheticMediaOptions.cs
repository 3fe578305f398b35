using System.Globalization;

namespace CrossMedia.Data.Builtin;

/// <summary>Size and content of the synthetic raw-media benchmark (small defaults so tests run in seconds).</summary>
public sealed record SyntheticMediaOptions
{
    /// <summary>Number of classes (each a shape/colour, a tone or chirp, a set of words, a motion).</summary>
    public int Classes { get; init; } = 5;
    /// <summary>Items per class and medium in the training split.</summary>
    public int TrainPerClass { get; init; } = 8;
    /// <summary>Items per class and medium in the validation split.</summary>
    public int ValPerClass { get; init; } = 2;
    /// <summary>Items per class and medium in the test split.</summary>
    public int TestPerClass { get; init; } = 2;
    /// <summary>Side of the square PNG pictures, pixels.</summary>
    public int ImageSize { get; init; } = 64;
    /// <summary>Length of each WAV clip, seconds.</summary>
    public double AudioSeconds { get; init; } = 1.0;
    /// <summary>Sample rate of the WAV clips, Hz.</summary>
    public int SampleRate { get; init; } = 22050;
    /// <summary>Frames per MP4 video.</summary>
    public int VideoFrames { get; init; } = 8;
    /// <summary>Side of the square video frames, pixels (even, as H.264 4:2:0 needs).</summary>
    public int VideoSize { get; init; } = 64;
    /// <summary>Video frame rate, frames per second.</summary>
    public int VideoFps { get; init; } = 8;
    /// <summary>Seed of every random choice; the same seed and options give the same files.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Media to generate, any of "image", "text", "audio", "video".</summary>
    public IReadOnlyList<string> Media { get; init; } = ["image", "text", "audio", "video"];
    /// <summary>Files generated at the same time.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>The parameters <see cref="With"/> reads, with their defaults.</summary>
    public static IReadOnlyList<DatasetParameter> Parameters { get; } = Describe(new SyntheticMediaOptions());

    private static DatasetParameter[] Describe(SyntheticMediaOptions d) =>
    [
        new("classes", Text(d.Classes), "number of classes (2 to 64)"),
        new("train", Text(d.TrainPerClass), "training items per class and medium"),
        new("val", Text(d.ValPerClass), "validation items per class and medium"),
        new("test", Text(d.TestPerClass), "test items per class and medium"),
        new("image", Text(d.ImageSize), "side of the PNG pictures, pixels"),
        new("seconds", Text(d.AudioSeconds), "length of the WAV clips, seconds"),
        new("frames", Text(d.VideoFrames), "frames per MP4 video"),
        new("video_size", Text(d.VideoSize), "side of the video frames, pixels (even)"),
        new("fps", Text(d.VideoFps), "video frame rate"),
        new("seed", DatasetParameter.LoadSeed, "seed of every random choice: another seed writes other files"),
        new("media", string.Join("+", d.Media), "media to generate, '+'-separated"),
    ];

    private static string Text(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>These options with "key=value,..." settings applied (keys: <see cref="Parameters"/>).</summary>
    public SyntheticMediaOptions With(string spec, string source = "synthetic-media")
    {
        var o = this;
        foreach (var setting in DatasetSpec.Parse(spec, source))
        {
            o = setting.Key switch
            {
                "classes" => o with { Classes = setting.Int() },
                "train" => o with { TrainPerClass = setting.Int() },
                "val" => o with { ValPerClass = setting.Int() },
                "test" => o with { TestPerClass = setting.Int() },
                "image" => o with { ImageSize = setting.Int() },
                "seconds" => o with { AudioSeconds = setting.Real() },
                "frames" => o with { VideoFrames = setting.Int() },
                "video_size" => o with { VideoSize = setting.Int() },
                "fps" => o with { VideoFps = setting.Int() },
                "seed" => o with { Seed = setting.Int() },
                "media" => o with { Media = setting.List() },
                _ => throw setting.Unknown(DatasetParameter.Keys(Parameters)),
            };
        }
        return o;
    }

    public void Validate()
    {
        void Check(bool ok, string field, string expected, object found)
        {
            if (!ok) throw new InputException("synthetic-media", field, expected, Convert.ToString(found, CultureInfo.InvariantCulture) ?? "");
        }
        Check(Classes is >= 2 and <= 64, "classes", "2 to 64", Classes);
        Check(TrainPerClass >= 0 && ValPerClass >= 0 && TestPerClass >= 0 && TrainPerClass + ValPerClass + TestPerClass > 0,
            "items per class", "non-negative counts, not all zero", $"{TrainPerClass}/{ValPerClass}/{TestPerClass}");
        Check(ImageSize is >= 8 and <= 4096, "image size", "8 to 4096", ImageSize);
        Check(AudioSeconds is > 0 and <= 600, "audio seconds", "0 to 600", AudioSeconds);
        Check(SampleRate is >= 8000 and <= 192000, "sample rate", "8000 to 192000", SampleRate);
        Check(VideoFrames is >= 1 and <= 10000, "video frames", "1 to 10000", VideoFrames);
        Check(VideoSize is >= 16 and <= 4096 && VideoSize % 2 == 0, "video size", "an even size 16 to 4096", VideoSize);
        Check(VideoFps is >= 1 and <= 240, "video fps", "1 to 240", VideoFps);
        Check(Workers >= 1, "workers", "at least 1", Workers);
        var unknown = Media.FirstOrDefault(m => m is not ("image" or "text" or "audio" or "video"));
        Check(unknown is null && Media.Count > 0, "media", "some of image, text, audio, video", string.Join(",", Media));
    }

    /// <summary>A canonical text of everything that shapes the files (not Workers).</summary>
    public string Fingerprint() => string.Create(CultureInfo.InvariantCulture,
        $"v1;c={Classes};n={TrainPerClass}/{ValPerClass}/{TestPerClass};img={ImageSize};aud={AudioSeconds:R}@{SampleRate};vid={VideoFrames}x{VideoSize}@{VideoFps};seed={Seed};media={string.Join(",", Media.Order())}");
}
