using CrossMedia.Data;

namespace CrossMedia.Tests.Data;

/// <summary>A medium's "encoder" names the pretrained encoder that made its features (issue 10, item 3).</summary>
public class ManifestEncoderTests
{
    private static string Manifest(TempDir dir, string textMedium)
    {
        dir.File("img.csv", Rows(3, 512)); // ResNet-18's length
        dir.File("txt.csv", Rows(3, 384)); // MiniLM's
        dir.File("short.csv", Rows(3, 3));
        dir.File("labels.txt", "cat\ndog\ncat\n");
        dir.File("split.txt", "train\ntrain\ntest\n");
        dir.File("t.txt", "x");
        dir.File("texts.list", "t.txt 0\n");
        dir.File("one.txt", "0\n");
        return dir.File("data.json", $$"""
            {
              "classes": ["cat", "dog"],
              "media": {
                "image": { "features": "img.csv", "labels": "labels.txt", "split": "split.txt", "encoder": "resnet18" },
                "text": { {{textMedium}} }
              }
            }
            """);
    }

    private static string Rows(int rows, int cols) =>
        string.Concat(Enumerable.Range(0, rows).Select(r => string.Join(",", Enumerable.Range(0, cols).Select(c => (r + c) % 3)) + "\n"));

    [Fact]
    public void Load_Should_RefuseFeaturesOfAnotherLengthThanTheEncoderMakes()
    {
        using var dir = new TempDir();
        var path = Manifest(dir, "\"features\": \"short.csv\", \"labels\": \"labels.txt\", \"split\": \"split.txt\", \"encoder\": \"minilm\"");
        var e = Assert.Throws<InputException>(() => DatasetManifest.Load(path, new DatasetLoadOptions()));
        Assert.Equal("media.text.encoder", e.Field);
        Assert.Contains("384 columns", e.Expected);
        Assert.Equal("3 columns", e.Found);
    }

    private const string TextFeatures = "\"features\": \"txt.csv\", \"labels\": \"labels.txt\", \"split\": \"split.txt\"";

    [Fact]
    public void Load_Should_CarryEachMediumsEncoder_ThroughSplitsAndSubsets()
    {
        using var dir = new TempDir();
        var ds = DatasetManifest.Load(Manifest(dir, TextFeatures + ", \"encoder\": \"MiniLM\""), new DatasetLoadOptions()).Dataset;
        Assert.Equal("resnet18", ds["image"].Encoder);
        Assert.Equal("minilm", ds["text"].Encoder);
        Assert.Equal("minilm", ds.Select(Split.Train)["text"].Encoder);
        Assert.Equal("minilm", ds["text"].WithSplits([Split.Test, Split.Test, Split.Test]).Encoder);

        var without = DatasetManifest.Load(Manifest(dir, TextFeatures), new DatasetLoadOptions()).Dataset;
        Assert.Null(without["text"].Encoder);
    }

    [Theory]
    [InlineData("\"encoder\": \"bert\"", "media.text.encoder: expected minilm (the encoder that made the features), found 'bert'")]
    [InlineData("\"encoder\": \"resnet18\"", "media.text.encoder: expected minilm (the encoder that made the features), found 'resnet18'")]
    [InlineData("\"encoder\": 3", "media.text.encoder: expected a non-empty string, found '3'")]
    public void Load_Should_RefuseAnEncoderTheMediumCannotHave_NamingTheField(string encoder, string message)
    {
        using var dir = new TempDir();
        var path = Manifest(dir, TextFeatures + ", " + encoder);
        var e = Assert.Throws<InputException>(() => DatasetManifest.Load(path, new DatasetLoadOptions()));
        Assert.Equal($"{path}: {message}", e.Message);
    }

    [Fact]
    public void Load_Should_RefuseAnEncoderOnMediaFiles()
    {
        using var dir = new TempDir();
        var path = Manifest(dir, "\"files\": \"texts.list\", \"split\": \"one.txt\", \"encoder\": \"minilm\"");
        var e = Assert.Throws<InputException>(() => DatasetManifest.Load(path, new DatasetLoadOptions()));
        Assert.Equal("media.text.encoder", e.Field);
    }
}
