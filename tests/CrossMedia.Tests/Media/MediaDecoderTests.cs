using CrossMedia.Media;

namespace CrossMedia.Tests.Media;

public class MediaDecoderTests
{
    private static MediaDecoderOptions Small(string? cache = null) => new()
    {
        Preprocessing = MediaPreprocessing.Small(8, 10),
        Spectrogram = new SpectrogramOptions { Width = 40, Height = 40 },
        FramesPerVideo = 3,
        Workers = 2,
        Prefetch = 2,
        CacheDirectory = cache,
    };

    private static MediaFiles Files(string name, params string[] paths) =>
        new(name, paths, paths.Select(p => Path.GetFileNameWithoutExtension(p)).ToArray(), new int[paths.Length]);

    [Fact]
    public async Task DecodeAsync_Should_ReportAndSkipCorruptEmptyAndMisnamedFiles()
    {
        using var files = new MediaTestFiles();
        var good = files.Png("good.png", 12, 10, (x, y) => (200, 10, 10, 255));
        var corrupt = files.PathOf("corrupt.png");
        File.WriteAllBytes(corrupt, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 1, 2]);
        var emptyWav = files.PathOf("empty.wav");
        WavWriter.Write(emptyWav, [], 22050);
        var fakeVideo = files.PathOf("notes.mp4");
        File.WriteAllText(fakeVideo, "this is a text file, not a video");
        var tone = files.Tone("tone.wav", 440, 0.5);

        var decoder = new MediaDecoder(Small());
        var images = await Collect(decoder, Files("image", good, corrupt));
        var audio = await Collect(decoder, Files("audio", emptyWav, tone));
        var video = await Collect(decoder, Files("video", fakeVideo));

        Assert.Equal(["good"], images.Select(i => i.Id));
        Assert.Equal(3 * 8 * 8, images[0].Pixels!.Length);
        Assert.Equal(["tone"], audio.Select(i => i.Id));
        Assert.Empty(video);
        var problems = decoder.Problems.Select(p => Path.GetFileName(p.Path)).Order().ToArray();
        Assert.Equal(["corrupt.png", "empty.wav", "notes.mp4"], problems);
        Assert.All(decoder.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Reason)));
    }

    [Fact]
    public async Task DecodeAsync_Should_KeepRequestedOrderWithManyWorkers()
    {
        using var files = new MediaTestFiles();
        var paths = Enumerable.Range(0, 12).Select(i => files.Png($"p{i:00}.png", 10 + i, 10, (x, y) => ((byte)(20 * i), 0, 0, 255))).ToArray();
        var medium = Files("image", paths);
        var decoder = new MediaDecoder(Small() with { Workers = 3, Prefetch = 3 });
        int[] rows = [11, 3, 7, 0, 5, 9, 1, 2, 10, 4, 8, 6];
        var items = await Collect(decoder, medium, rows);
        Assert.Equal(rows, items.Select(i => i.Row));
        // Red channel (mean 0.485, std 0.229) identifies the picture.
        foreach (var item in items) Assert.Equal((20 * item.Row / 255f - 0.485f) / 0.229f, item.Pixels![0], 3);
    }

    [Fact]
    public async Task DecodeAsync_Should_DecodeAheadOfTheConsumerButOnlyUpToThePrefetchBound()
    {
        using var files = new MediaTestFiles();
        var paths = Enumerable.Range(0, 30).Select(i => files.Png($"p{i}.png", 10, 10, (x, y) => (0, 0, 0, 255))).ToArray();
        var options = Small() with { Workers = 2, Prefetch = 4 };
        var decoder = new MediaDecoder(options);
        await using var e = decoder.DecodeAsync(Files("image", paths)).GetAsyncEnumerator();
        Assert.True(await e.MoveNextAsync());
        // While the consumer "trains" on item 0, the pipeline fills up: the queue holds Prefetch
        // tasks and the producer one more waiting to be queued, so at most 1 + Prefetch + 1 files.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (decoder.Attempted < 1 + options.Prefetch && DateTime.UtcNow < deadline) await Task.Delay(20);
        await Task.Delay(300);
        Assert.InRange(decoder.Attempted, 1 + options.Prefetch, 2 + options.Prefetch);
        int rest = 0;
        while (await e.MoveNextAsync()) rest++;
        Assert.Equal(29, rest);
    }

    [Fact]
    public async Task DecodeAsync_Should_StopCleanlyWhenTheConsumerBreaksEarly()
    {
        using var files = new MediaTestFiles();
        var paths = Enumerable.Range(0, 20).Select(i => files.Png($"p{i}.png", 10, 10, (x, y) => (0, 0, 0, 255))).ToArray();
        var decoder = new MediaDecoder(Small() with { Workers = 2, Prefetch = 2 });
        int seen = 0;
        await foreach (var item in decoder.DecodeAsync(Files("image", paths)))
            if (++seen == 3) break;
        Assert.Equal(3, seen);
        Assert.Empty(decoder.Problems);
    }

    [Fact]
    public async Task DecodeBatchesAsync_Should_YieldBatchesOfTheRequestedSize()
    {
        using var files = new MediaTestFiles();
        var paths = Enumerable.Range(0, 6).Select(i => files.Png($"p{i}.png", 10, 10, (x, y) => (0, 0, 0, 255))).ToArray();
        File.WriteAllText(paths[1], "broken");
        var decoder = new MediaDecoder(Small());
        var batches = new List<int[]>();
        await foreach (var batch in decoder.DecodeBatchesAsync(Files("image", paths), [0, 1, 2, 3, 4, 5], 2)) batches.Add(batch.Select(b => b.Row).ToArray());
        // The broken file is skipped and the next good item fills its place.
        Assert.Equal([[0, 2], [3, 4], [5]], batches);
        Assert.Single(decoder.Problems);
    }

    /// <summary>Inference inputs: a file, the same file's bytes and a string decode as the dataset path decodes files; bad bytes are a problem under their name.</summary>
    [Fact]
    public async Task DecodeAsync_Should_DecodeSourcesOfFilesBytesAndStringsAsFiles()
    {
        using var files = new MediaTestFiles();
        var png = files.Png("red.png", 12, 10, (x, y) => ((byte)(20 * x), 10, 10, 255));
        var tone = files.Tone("tone.wav", 440, 0.3);
        var text = files.PathOf("t.txt");
        File.WriteAllText(text, "a red bird\nfr.utf8=un oiseau rouge");

        var decoder = new MediaDecoder(Small());
        var pictures = new List<DecodedItem>();
        await foreach (var item in decoder.DecodeAsync([MediaSource.File(png), MediaSource.FromBytes(File.ReadAllBytes(png), "upload.png"),
            MediaSource.FromBytes([1, 2, 3], "broken.png")], MediaKind.Image)) pictures.Add(item);
        var sounds = new List<DecodedItem>();
        await foreach (var item in decoder.DecodeAsync([MediaSource.FromBytes(File.ReadAllBytes(tone), "voice.wav")], MediaKind.Audio)) sounds.Add(item);
        var texts = new List<DecodedItem>();
        await foreach (var item in decoder.DecodeAsync([MediaSource.File(text), MediaSource.FromText("a red bird")], MediaKind.Text)) texts.Add(item);

        var reference = new MediaDecoder(Small());
        Assert.Equal((await Collect(reference, Files("image", png)))[0].Pixels, pictures[0].Pixels);
        Assert.Equal(pictures[0].Pixels, pictures[1].Pixels);
        Assert.Equal(["red.png", "upload.png"], pictures.Select(p => Path.GetFileName(p.Path)));
        Assert.Equal([0, 1], pictures.Select(p => p.Row));
        Assert.All(pictures, p => Assert.Equal(-1, p.Label));
        Assert.Equal((await Collect(reference, Files("audio", tone)))[0].Pixels, sounds[0].Pixels);
        Assert.Equal(["a red bird", "a red bird"], texts.Select(t => t.Text));
        Assert.Equal("broken.png", Assert.Single(decoder.Problems).Path);
    }

    [Fact]
    public async Task Cache_Should_ReturnTheSameTensorsAndSurviveCorruption()
    {
        using var files = new MediaTestFiles();
        var tone = files.Tone("tone.wav", 880, 0.3);
        var cacheDir = files.PathOf("cache");
        var first = (await Collect(new MediaDecoder(Small(cacheDir)), Files("audio", tone)))[0];
        var cached = Directory.GetFiles(cacheDir, "*.bin", SearchOption.AllDirectories);
        Assert.Single(cached);
        Assert.Equal(24 + 3 * 8 * 8 * 4, new FileInfo(cached[0]).Length);

        var second = (await Collect(new MediaDecoder(Small(cacheDir)), Files("audio", tone)))[0];
        Assert.Equal(first.Pixels, second.Pixels);

        // A damaged cache file is ignored and rewritten.
        File.WriteAllBytes(cached[0], [1, 2, 3]);
        var third = (await Collect(new MediaDecoder(Small(cacheDir)), Files("audio", tone)))[0];
        Assert.Equal(first.Pixels, third.Pixels);
        Assert.Equal(24 + 3 * 8 * 8 * 4, new FileInfo(cached[0]).Length);

        // Other settings use another key.
        await Collect(new MediaDecoder(Small(cacheDir) with { Spectrogram = new SpectrogramOptions { Width = 41, Height = 40 } }), Files("audio", tone));
        Assert.Equal(2, Directory.GetFiles(cacheDir, "*.bin", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void Decode_Should_ReadTextAndPickKindFromExtensionForOtherMediumNames()
    {
        using var files = new MediaTestFiles();
        var txt = files.PathOf("a.txt");
        File.WriteAllText(txt, "line one\nline two");
        var png = files.Png("b.png", 9, 9, (x, y) => (1, 2, 3, 255));
        var decoder = new MediaDecoder(Small());
        var medium = Files("mixed", txt, png);
        Assert.Equal("line one\nline two", decoder.Decode(medium, 0)!.Text);
        Assert.Equal(MediaKind.Image, decoder.Decode(medium, 1)!.Kind);
    }

    private static async Task<List<DecodedItem>> Collect(MediaDecoder decoder, MediaFiles medium, IReadOnlyList<int>? rows = null)
    {
        var list = new List<DecodedItem>();
        await foreach (var item in decoder.DecodeAsync(medium, rows)) list.Add(item);
        return list;
    }
}
