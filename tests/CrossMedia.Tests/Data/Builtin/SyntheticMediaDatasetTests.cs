using CrossMedia.Data;
using CrossMedia.Data.Builtin;
using CrossMedia.Media;
using CrossMedia.Tests.Media;

namespace CrossMedia.Tests.Data.Builtin;

/// <summary>One tiny synthetic-media build shared by the tests that only read it.</summary>
public sealed class TinySyntheticMedia : IDisposable
{
    public static readonly SyntheticMediaOptions Options = new()
    {
        Classes = 3, TrainPerClass = 2, ValPerClass = 1, TestPerClass = 1,
        ImageSize = 32, AudioSeconds = 0.5, VideoFrames = 4, VideoSize = 32,
    };

    private readonly MediaTestFiles _files = new();

    public string Root => _files.Root;
    public Dataset Dataset { get; }

    public TinySyntheticMedia() => Dataset = SyntheticMediaDataset.Build(_files.Root, Options);

    public void Dispose() => _files.Dispose();
}

public class SyntheticMediaDatasetTests(TinySyntheticMedia tiny) : IClassFixture<TinySyntheticMedia>
{
    private static SyntheticMediaOptions Tiny => TinySyntheticMedia.Options;

    [Fact]
    public void Build_Should_WriteTheExpectedFilesPerMediumClassAndSplit()
    {
        var ds = tiny.Dataset;
        Assert.Equal("synthetic-media", ds.Name);
        Assert.Equal(3, ds.ClassCount);
        Assert.Equal(["image", "text", "audio", "video"], ds.Media.Select(m => m.Name));
        foreach (var m in ds.Media)
        {
            Assert.Equal(12, m.Count);
            Assert.Equal(12, m.Files!.Distinct().Count());
            Assert.All(m.Files!, f => Assert.True(new FileInfo(f).Length > 0, f));
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(2, Enumerable.Range(0, 12).Count(i => m.Labels[i] == k && m.Splits[i] == Split.Train));
                Assert.Equal(1, Enumerable.Range(0, 12).Count(i => m.Labels[i] == k && m.Splits[i] == Split.Val));
                Assert.Equal(1, Enumerable.Range(0, 12).Count(i => m.Labels[i] == k && m.Splits[i] == Split.Test));
            }
            Assert.Equal(12, m.Ids.Distinct().Count());
        }
        var folder = SyntheticMediaDataset.FolderOf(tiny.Root, Tiny);
        var onDisk = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetExtension).GroupBy(e => e).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { [".png"] = 12, [".txt"] = 13, [".wav"] = 12, [".mp4"] = 12 }, onDisk); // .txt: 12 texts + manifest
        Assert.StartsWith("video/", ds["video"].Ids[0]);

        // A second build finds the complete folder and writes nothing.
        var before = ds["video"].Files!.Select(File.GetLastWriteTimeUtc).ToArray();
        var again = SyntheticMediaDataset.Build(tiny.Root, Tiny);
        Assert.Equal(before, again["video"].Files!.Select(File.GetLastWriteTimeUtc));
        Assert.Equal(ds["image"].Files, again["image"].Files);
    }

    [Fact]
    public void Build_Should_BeDeterministicPerSeedAndDifferAcrossSeeds()
    {
        using var a = new MediaTestFiles();
        using var b = new MediaTestFiles();
        var small = Tiny with { Classes = 2, TrainPerClass = 1, ValPerClass = 0, TestPerClass = 1 };
        var first = SyntheticMediaDataset.Build(a.Root, small);
        var second = SyntheticMediaDataset.Build(b.Root, small with { Workers = 1 });
        foreach (var m in first.Media)
            for (int i = 0; i < m.Count; i++)
                Assert.True(File.ReadAllBytes(m.Files![i]).SequenceEqual(File.ReadAllBytes(second[m.Name].Files![i])), m.Files[i]);
        var other = SyntheticMediaDataset.Build(a.Root, small with { Seed = 2 });
        Assert.False(File.ReadAllBytes(first["image"].Files![0]).SequenceEqual(File.ReadAllBytes(other["image"].Files![0])));
    }

    [Fact]
    public async Task Files_Should_DecodeWithoutProblemsAndCarryTheClassSignal()
    {
        var ds = tiny.Dataset;
        var decoder = new MediaDecoder(new MediaDecoderOptions
        {
            Preprocessing = MediaPreprocessing.Small(16, 16), Spectrogram = new SpectrogramOptions { Width = 32, Height = 32 }, FramesPerVideo = 3,
        });
        // The test split (one item per class and medium) keeps this quick on a busy machine.
        var test = ds.Select(Split.Test);
        foreach (var m in test.Media)
        {
            int n = 0;
            await foreach (var item in decoder.DecodeAsync(m.ToMediaFiles())) n++;
            Assert.Equal(3, n);
        }
        Assert.Empty(decoder.Problems);

        // Audio: each clip's loudest STFT bin sits at its class pitch (±3 % jitter; chirps glide up to 1.5×).
        var audio = test["audio"];
        for (int i = 0; i < audio.Count; i++)
        {
            var s = Stft.Magnitude(AudioDecoder.Decode(audio.Files![i], 22050), 2048, 512);
            int best = Enumerable.Range(0, s.Bins).MaxBy(k => Enumerable.Range(0, s.Frames).Sum(f => s[f, k]));
            double hz = best * 22050.0 / 2048;
            double f0 = new[] { 800.0, 3600, 6400 }[audio.Labels[i]]; // 3 classes evenly over 800..6400 Hz
            Assert.InRange(hz, f0 * 0.95, f0 * 1.6);
        }
        // Text: every description names its class colour and shape.
        var text = ds["text"];
        for (int i = 0; i < text.Count; i++)
        {
            var words = ds.ClassNames[text.Labels[i]].Split('-');
            var body = TextMedia.Read(text.Files![i]);
            Assert.Contains(words[1], body);
            Assert.Contains(words[2], body);
        }
    }

    [Fact]
    public void Build_Should_RejectBadOptions()
    {
        Assert.Throws<InputException>(() => SyntheticMediaDataset.Build(Path.GetTempPath(), Tiny with { VideoSize = 33 }));
        Assert.Throws<InputException>(() => SyntheticMediaDataset.Build(Path.GetTempPath(), Tiny with { Media = ["smell"] }));
    }
}
