using System.Text.Json.Nodes;
using CrossMedia.Data;
using CrossMedia.Data.Formats;
using CrossMedia.Encoders;
using CrossMedia.Media;

namespace CrossMedia.Tests.Cli;

/// <summary>`crossmedia features` on a tiny synthetic-media dataset (2 classes, 4 items per medium, 32 px, 2 frames a video).</summary>
public sealed class FeaturesCommandTests : IDisposable
{
    const string Spec = "synthetic-media:classes=2,train=2,val=1,test=1,image=32,video_size=32,frames=4,seconds=0.5";
    readonly string _root = Directory.CreateTempSubdirectory("crossmedia-features-").FullName;
    string DataRoot => Path.Combine(_root, "data");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Features_Should_WriteAManifestThatLoadsWithTheSourcesSplitsLabelsAndEncoders()
    {
        var outDir = Path.Combine(_root, "features");
        var (code, stdout, stderr) = CliHarness.Run("features", "--dataset", Spec, "--data-root", DataRoot, "--out", outDir,
            "--frames", "2", "--threads", "2", "--workers", "2");
        Assert.True(code == 0, stderr);
        Assert.Contains("manifest.json", stdout);

        var source = DatasetCatalog.Load(Spec, new DatasetLoadOptions { DataRoot = DataRoot, ValFraction = 0, Seed = 1 });
        var features = DatasetCatalog.Load(Path.Combine(outDir, "manifest.json"), new DatasetLoadOptions { ValFraction = 0 });
        Assert.Equal(source.ClassNames, features.ClassNames);
        Assert.Equal(source.Paired, features.Paired);
        Assert.Equal(source.Media.Select(m => m.Name), features.Media.Select(m => m.Name));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json")))!;
        foreach (var m in source.Media)
        {
            var f = features[m.Name];
            Assert.Equal(m.Name == "text" ? 384 : 512, f.Dimension);
            Assert.Equal(m.Name == "text" ? "minilm" : "resnet18", manifest["media"]![m.Name]!["encoder"]!.GetValue<string>());
            foreach (var split in Enum.GetValues<Split>())
            {
                Assert.Equal(m.Select(split).Labels, f.Select(split).Labels);
                Assert.Equal(m.Select(split).Files, File.ReadAllLines(Path.Combine(outDir, $"{m.Name}_{split.Name()}_items.txt")).Select(l => l.Split('\t')[1]));
            }
            for (int i = 0; i < f.Count; i++)
            {
                double norm = 0;
                foreach (var v in f.Features!.RowReadOnly(i)) norm += (double)v * v;
                Assert.Equal(1.0, Math.Sqrt(norm), 5);
            }
        }
        // Rows are the encoder's features of the listed files, in order.
        var test = source["image"].Select(Split.Test);
        using (var image = EncoderCatalog.Create("image", "resnet18"))
        {
            var expected = image.Encode(MediaSource.Files(test.Files!));
            var written = NpyFile.Read(Path.Combine(outDir, "image_test.npy")).ToMatrix("image_test.npy");
            for (int i = 0; i < expected.Data.Length; i++) Assert.Equal(expected.Data[i], written.Data[i], 5);
        }
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, FeatureExtraction.RecordName)))!;
        Assert.Equal("minilm", record["encoders"]!["text"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(outDir, "checksums.json")));
    }

    [Theory]
    [InlineData("image=minilm", "image", "resnet18")]
    [InlineData("text=resnet18", "text", "minilm")]
    [InlineData("smell=resnet18", "smell", "a medium of")]
    [InlineData("image", "", "medium=encoder")]
    public void BadEncoders_Should_BeRefusedBeforeAnythingRuns(string encoders, string field, string expected)
    {
        var (code, _, stderr) = CliHarness.Run("features", "--dataset", Spec + ",media=image+text", "--data-root", DataRoot,
            "--out", Path.Combine(_root, "bad"), "--encoders", encoders);
        Assert.Equal(2, code);
        Assert.Contains("--encoders", stderr);
        Assert.Contains(field, stderr);
        Assert.Contains(expected, stderr);
        Assert.False(Directory.Exists(Path.Combine(_root, "bad")));
    }

    [Fact]
    public void MediaWithoutAnEncoder_Should_BeRefused_NamingTheMedium()
    {
        var files = new[] { "a.dat", "b.dat" }.Select(f => Path.Combine(_root, f)).ToArray();
        var dataset = new Dataset("odd", [new Medium("sketch", null, files, [0, 1], [Split.Train, Split.Test])], ["x", "y"]);
        var e = Assert.Throws<InputException>(() => FeatureExtraction.Plan(dataset));
        Assert.Equal("sketch", e.Field);
        Assert.Contains("encoder", e.Expected);

        var vectors = new Dataset("vectors", [new Medium("image", new CrossMedia.Core.Matrix(2, 3), null, [0, 1], [Split.Train, Split.Test])], ["x", "y"]);
        Assert.Contains("feature vectors", Assert.Throws<InputException>(() => FeatureExtraction.Plan(vectors)).Message);
    }
}
