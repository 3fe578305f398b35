using CrossMedia.Data;
using CrossMedia.Data.Builtin;
using CrossMedia.Media;
using CrossMedia.Tests.Media;

namespace CrossMedia.Tests.Data.Builtin;

public class TuxPaintDatasetTests
{
    private static readonly TuxPaintOptions NoVideo = new() { DerivedVideo = false };

    [TuxPaintFact]
    public void Discover_Should_FindPicturesTextsAndSoundsButNotMirrorsOrTranslations()
    {
        var stamps = TuxPaintStamp.Discover(TuxPaintOptions.DefaultStampsRoot);
        Assert.InRange(stamps.Count, 800, 1200);
        Assert.DoesNotContain(stamps, s => s.Id.EndsWith("_mirror", StringComparison.Ordinal) && stamps.Any(t => t.Id == s.Id[..^7]));
        Assert.All(stamps, s => Assert.True(File.Exists(s.Picture)));
        Assert.True(stamps.Count(s => s.Description is not null) > 0.9 * stamps.Count);
        Assert.All(stamps.Where(s => s.Sound is not null), s => Assert.DoesNotContain("_desc", Path.GetFileName(s.Sound!)));
        var blackbird = stamps.Single(s => s.Id == "animals/birds/blackbird");
        Assert.Equal(["animals", "birds"], blackbird.Folders);
        Assert.EndsWith("blackbird.ogg", blackbird.Sound);
        Assert.Equal("A blackbird.", TextMedia.ReadTuxPaintEnglish(blackbird.Description!));
    }

    [TuxPaintFact]
    public void SelectMedia_Should_PairPictureAndDescription_WhichAreTheSameStamps()
    {
        var ds = TuxPaintDataset.Build(NoVideo);
        Assert.False(ds.Paired); // the sound clips cover few stamps
        var both = DatasetCatalog.SelectMedia(ds, ["image", "text"]);
        Assert.True(both.Paired);
        Assert.Equal(both["image"].Ids, both["text"].Ids);
        Assert.False(DatasetCatalog.SelectMedia(ds, ["image", "audio"]).Paired);
    }

    [Fact]
    public void SelectMedia_Should_NotPairMediaWhoseItemsHaveOnlyRowNumbers()
    {
        // Two feature media with equal counts, labels and splits but no item names: nothing says row i is one object.
        Medium M(string name, string[]? ids = null) => new(name, new CrossMedia.Core.Matrix(new float[8], 4, 2), null, [0, 1, 0, 1], [Split.Train, Split.Train, Split.Test, Split.Test], ids);
        var ds = new Dataset("d", [M("image"), M("text"), M("audio")], ["a", "b"]);
        Assert.False(DatasetCatalog.SelectMedia(ds, ["image", "text"]).Paired);
        string[] named = ["p", "q", "r", "s"];
        Assert.True(DatasetCatalog.SelectMedia(new Dataset("d", [M("image", named), M("text", named), M("audio")], ["a", "b"]), ["image", "text"]).Paired);
    }

    [TuxPaintFact]
    public void Build_Should_LabelByTopCategoryAndSplitEachClassStratified()
    {
        var ds = TuxPaintDataset.Build(NoVideo);
        Assert.Equal(["image", "text", "audio"], ds.Media.Select(m => m.Name));
        Assert.Contains("animals", ds.ClassNames);
        Assert.DoesNotContain("cartoon", ds.ClassNames); // 6 stamps < 10
        var image = ds["image"];
        for (int k = 0; k < ds.ClassCount; k++)
        {
            var rows = Enumerable.Range(0, image.Count).Where(i => image.Labels[i] == k).ToArray();
            Assert.True(rows.Length >= 10);
            int test = rows.Count(i => image.Splits[i] == Split.Test), val = rows.Count(i => image.Splits[i] == Split.Val);
            Assert.Equal(Math.Ceiling(rows.Length * 0.2 - 1e-9), test);
            Assert.InRange(val, Math.Floor(rows.Length * 0.2), Math.Ceiling(rows.Length * 0.2));
            Assert.All(rows, i => Assert.StartsWith(ds.ClassNames[k] + "/", image.Ids[i]));
        }
        // Every medium of a stamp shares its id and split.
        var splitOf = Enumerable.Range(0, image.Count).ToDictionary(i => image.Ids[i], i => image.Splits[i]);
        foreach (var m in new[] { ds["text"], ds["audio"] })
            for (int i = 0; i < m.Count; i++) Assert.Equal(splitOf[m.Ids[i]], m.Splits[i]);
        // Audio: the stamps' own sounds only; spoken descriptions are opt-in.
        Assert.DoesNotContain(ds["audio"].Files!, f => f.Contains("_desc", StringComparison.Ordinal));
        Assert.Contains(ds["audio"].Select(Split.Test).Files!, f => f.Contains("/animals/", StringComparison.Ordinal));
        var withSpeech = TuxPaintDataset.Build(NoVideo with { IncludeSpokenDescriptions = true });
        Assert.True(withSpeech["audio"].Count > ds["audio"].Count);
        Assert.Contains(withSpeech["audio"].Ids, id => id.EndsWith("#desc", StringComparison.Ordinal));
    }

    [TuxPaintFact]
    public void Build_Should_RecordOneChecksumPerSourceMedium()
    {
        var ds = TuxPaintDataset.Build(NoVideo);
        Assert.Equal(["image", "text", "audio"], ds.Checksums.Keys.Select(k => k[..k.IndexOf(':')]));
        var image = ds["image"];
        Assert.Equal(CrossMedia.Core.Checksum.Sha256Files(image.Files!, TuxPaintOptions.DefaultStampsRoot),
            ds.Checksums[$"image: {image.Count} files under {TuxPaintOptions.DefaultStampsRoot}"]);
        var animals = TuxPaintDataset.Build(NoVideo with { Categories = ["animals"], LabelDepth = 2 });
        Assert.NotEqual(ds.Checksums.Values.First(), animals.Checksums.Values.First()); // other files, other digest
    }

    [TuxPaintFact]
    public void Build_Should_BeDeterministicPerSeedAndSupportFinerLabels()
    {
        var a = TuxPaintDataset.Build(NoVideo);
        var b = TuxPaintDataset.Build(NoVideo);
        var c = TuxPaintDataset.Build(NoVideo with { Seed = 7 });
        Assert.Equal(a["image"].Splits, b["image"].Splits);
        Assert.NotEqual(a["image"].Splits, c["image"].Splits);
        var fine = TuxPaintDataset.Build(NoVideo with { LabelDepth = 2 });
        Assert.Contains("animals/birds", fine.ClassNames);
        Assert.True(fine.ClassCount > a.ClassCount);
    }

    [Theory]
    [InlineData(5, "TVRRR")]
    [InlineData(10, "TVRRRTVRRR")]
    [InlineData(2, "TV")]
    [InlineData(1, "T")]
    public void StratifiedSplits_Should_KeepEveryPrefixAtTheFractions(int n, string expected)
    {
        var s = TuxPaintDataset.StratifiedSplits(n, 0.2, 0.2);
        Assert.Equal(expected, new string(s.Select(x => x switch { Split.Test => 'T', Split.Val => 'V', _ => 'R' }).ToArray()));
    }

    [TuxPaintFact]
    public async Task DerivedVideo_Should_BeGeneratedOncePerStampAndDecode()
    {
        using var files = new MediaTestFiles();
        var options = new TuxPaintOptions
        {
            Categories = ["space", "sports"], MinStampsPerClass = 1, MaxStampsPerClass = 2, CacheRoot = files.Root,
            VideoSize = 32, VideoSeconds = 1, VideoFps = 4,
        };
        var (ds, problems) = TuxPaintDataset.BuildWithProblems(options);
        Assert.Empty(problems);
        var video = ds["video-derived"];
        Assert.Equal(ds["image"].Count, video.Count);
        Assert.Equal(ds["image"].Ids, video.Ids);
        Assert.All(video.Files!, f => Assert.Equal((32, 32, 4), VideoDecoder.Probe(f)));
        var before = video.Files!.Select(File.GetLastWriteTimeUtc).ToArray();
        Assert.Equal(before, TuxPaintDataset.Build(options)["video-derived"].Files!.Select(File.GetLastWriteTimeUtc));

        var decoder = new MediaDecoder(new MediaDecoderOptions { Preprocessing = MediaPreprocessing.Small(16, 16), FramesPerVideo = 6 });
        await foreach (var item in decoder.DecodeAsync(video.ToMediaFiles())) Assert.Equal(6, item.Frames!.Count);
        Assert.Empty(decoder.Problems);
        // Derived frames are the picture on white: the corners stay white-ish (normalised R of 255 = 2.25).
        var first = VideoDecoder.SampleFrames(video.Files![0], 1)[0];
        Assert.True(first[0, 0, 0] > 200, $"corner {first[0, 0, 0]}");
    }

    [TuxPaintFact]
    public async Task Decoder_Should_ReadEveryTuxPaintTextAndASampleOfPicturesAndSounds()
    {
        var ds = TuxPaintDataset.Build(NoVideo);
        var decoder = new MediaDecoder(new MediaDecoderOptions
        {
            Preprocessing = MediaPreprocessing.Small(16, 20), Spectrogram = new SpectrogramOptions { Width = 32, Height = 32 },
        });
        var texts = new List<string>();
        await foreach (var item in decoder.DecodeAsync(ds["text"].ToMediaFiles())) texts.Add(item.Text!);
        Assert.Equal(ds["text"].Count, texts.Count);
        Assert.DoesNotContain(texts, t => t.Contains(".utf8=", StringComparison.Ordinal));
        // PNG and SVG pictures (SVG through ffmpeg's librsvg) and OGG sounds.
        var image = ds["image"];
        int[] rows = [.. Enumerable.Range(0, image.Count).Where(i => image.Files![i].EndsWith(".svg", StringComparison.Ordinal)).Take(2),
                      .. Enumerable.Range(0, image.Count).Where(i => image.Files![i].EndsWith(".png", StringComparison.Ordinal)).Take(2)];
        int n = 0;
        await foreach (var item in decoder.DecodeAsync(image.ToMediaFiles(), rows)) n++;
        await foreach (var item in decoder.DecodeAsync(ds["audio"].ToMediaFiles(), [0, 1])) n++;
        Assert.Equal(6, n);
        Assert.Empty(decoder.Problems);
    }
}
