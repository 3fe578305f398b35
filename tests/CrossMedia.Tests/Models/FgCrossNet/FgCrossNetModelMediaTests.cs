using CrossMedia.Data;
using CrossMedia.Media;
using CrossMedia.Models;
using CrossMedia.Models.FgCrossNet;
using CrossMedia.Tests.Media;
using CrossMedia.Torch;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Models.FgCrossNet;

/// <summary>
/// Issue 9, item 3: a file the model cannot decode is an error naming it, never a made-up
/// (uniform) embedding; where leaving it out is allowed (evaluation, --skip-bad) it is dropped
/// with its label and listed.
/// </summary>
/// <remarks>Builds a network (initialisation draws from the global generator): runs outside the parallel torch tests.</remarks>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class FgCrossNetModelMediaTests
{
    public FgCrossNetModelMediaTests() => TorchRuntime.Initialize(2);

    [Fact]
    public void Embed_Should_RefuseAnUndecodableFile_InsteadOfAPlaceholderRow()
    {
        using var files = new MediaTestFiles();
        var good = files.Png("good.png", 40, 40, (x, y) => ((byte)(x * 6), (byte)(y * 6), 90, 255));
        var empty = files.PathOf("empty.png");
        File.WriteAllBytes(empty, []);
        var config = new FgCrossNetConfig("resnet18", 3, 32, 36, 2, null, false, ["image"]);
        using var model = new FgCrossNetModel(config, config.CreateNetwork(initialise: false, out _), CPU) { Workers = 1 };
        var medium = new Medium("image", null, [good, empty], [2, 1], [Split.Test, Split.Test]);

        var e = Assert.Throws<UndecodableMediaException>(() => model.Embed(medium));
        Assert.Equal($"{empty}: expected a picture (PNG, JPEG, WebP, GIF, BMP or SVG), found an empty file", e.Message);

        var problems = new List<MediaProblem>();
        var (embeddings, kept) = model.EmbedDecodable(medium, problems);
        Assert.Equal((1, 3), (embeddings.Rows, embeddings.Cols));
        Assert.Equal([good], kept.Files!);
        Assert.Equal([2], kept.Labels);
        Assert.Equal(empty, Assert.Single(problems).Path);
        Assert.Equal(model.Embed(medium.Select([0])).Data, embeddings.Data);
    }

    /// <summary>Free text and in-memory bytes are embedded directly (no temporary file), as a text file with that content would be.</summary>
    [Fact]
    public void Embed_Should_GiveATextStringAndItsBytesTheEmbeddingOfATextFileWithThatText()
    {
        using var files = new MediaTestFiles();
        var path = files.PathOf("query.txt");
        File.WriteAllText(path, "a small red bird");
        var config = new FgCrossNetConfig("resnet18", 3, 32, 36, 2, null, false, ["image", "text"]);
        using var model = new FgCrossNetModel(config, config.CreateNetwork(initialise: false, out _), CPU) { Workers = 1 };

        var fromFile = model.Embed(new Medium("text", null, [path], [0], [Split.Test])).Data;
        Assert.Equal(fromFile, model.Embed(EmbeddingInput.OfTexts("text", ["a small red bird"])).Data);
        Assert.Equal(fromFile, model.Embed(EmbeddingInput.OfSources("text", [MediaSource.FromBytes("a small red bird"u8.ToArray(), "upload.txt")])).Data);
        Assert.Throws<UndecodableMediaException>(() => model.Embed(EmbeddingInput.OfTexts("image", ["a small red bird"])));
        Assert.Throws<InputException>(() => model.Embed(EmbeddingInput.OfTexts("audio", ["not a medium of the model"])));
    }

    /// <summary>
    /// Issue 11, item 3: the model streams (decode a batch, embed it, drop it) instead of decoding a whole medium
    /// first: progress arrives batch by batch, and the rows are exactly those of embedding the decoded list at once.
    /// </summary>
    [Fact]
    public void Embed_Should_StreamBatches_WithTheRowsOfEmbeddingEverythingDecodedAtOnce()
    {
        using var files = new MediaTestFiles();
        int n = 2 * FgCrossNetModel.BatchSize + 5;
        var paths = Enumerable.Range(0, n).Select(i => files.Png($"p{i}.png", 24, 20, (x, y) => ((byte)(x * 9 + i), (byte)(y * 7), (byte)(3 * i), 255))).ToArray();
        var config = new FgCrossNetConfig("resnet18", 3, 32, 36, 2, null, false, ["image"]);
        using var model = new FgCrossNetModel(config, config.CreateNetwork(initialise: false, out _), CPU) { Workers = 2 };
        var reports = new List<int>();

        var streamed = model.Embed(EmbeddingInput.OfSources("image", [.. paths.Take(n - 1).Select(MediaSource.File),
            MediaSource.FromBytes(File.ReadAllBytes(paths[^1]), "last.png")]), new CrossMedia.Core.SynchronousProgress<int>(reports.Add));

        var medium = new Medium("image", null, paths, new int[n], Enumerable.Repeat(Split.Test, n).ToArray());
        var decoder = new MediaDecoder(config.DecoderOptions(model.Network.Backbone.Normalization, 1));
        var all = FgCrossNetInputs.DecodeAll(decoder, medium);
        Assert.Equal(FgCrossNetInputs.Embed(model.Network, MediaKind.Image, all, CPU).Data, streamed.Data);
        Assert.Equal([FgCrossNetModel.BatchSize, 2 * FgCrossNetModel.BatchSize, n], reports);
    }
}
