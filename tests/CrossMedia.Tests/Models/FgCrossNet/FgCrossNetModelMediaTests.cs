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

    /// <summary>Free text is embedded directly (issue 10, item 3: no temporary file), as a text file with that content would be.</summary>
    [Fact]
    public void EmbedTexts_Should_EqualTheEmbeddingOfATextFileWithThatText()
    {
        using var files = new MediaTestFiles();
        var path = files.PathOf("query.txt");
        File.WriteAllText(path, "a small red bird");
        var config = new FgCrossNetConfig("resnet18", 3, 32, 36, 2, null, false, ["image", "text"]);
        using var model = new FgCrossNetModel(config, config.CreateNetwork(initialise: false, out _), CPU) { Workers = 1 };

        var direct = model.EmbedTexts("text", ["a small red bird"]);
        Assert.Equal(model.Embed(new Medium("text", null, [path], [0], [Split.Test])).Data, direct.Data);
        Assert.Throws<InputException>(() => model.EmbedTexts("image", ["a small red bird"]));
    }
}
