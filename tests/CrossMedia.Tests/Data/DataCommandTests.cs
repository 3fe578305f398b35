using System.CommandLine;
using System.Text.Json;
using CrossMedia.Cli;
using CrossMedia.Cli.Commands;
using static CrossMedia.Tests.Data.MatV5Builder;

namespace CrossMedia.Tests.Data;

/// <summary>`crossmedia data inspect` through the real runner: output, exit codes and one-line errors.</summary>
public class DataCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CrossMedia.Tests.Cli.CliHarness.Run(args);

    /// <summary>Exit code 2 and one error line naming the file, the field, what was expected and what was found.</summary>
    private static void AssertUserError((int Code, string Out, string Err) r, string file, string field, string expected, string found)
    {
        Assert.Equal(2, r.Code);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: {file}: {field}: expected {expected}, found {found}", line);
    }

    /// <summary>A manifest whose only medium reads its features from <paramref name="features"/> (a JSON value).</summary>
    private static string MatManifest(ManifestFixture f, string features)
    {
        f.Write($$"""
            { "classes": ["cat", "dog", "bird"],
              "media": { "image": { "features": {{features}}, "labels": "labels.txt", "split": "split.txt" } } }
            """);
        return f.Manifest;
    }

    [Fact]
    public void Inspect_Should_PrintWikipediaCountsAndEmbeddings()
    {
        var r = Run("data", "inspect", "--dataset", "wikipedia", "--data-root", TestPaths.SharedData, "--val-fraction", "0");
        Assert.Equal(0, r.Code);
        Assert.Equal("", r.Err);
        Assert.Contains("│ image  │ features │ 128       │ 2173  │ 0   │ 693  │ 2866  │", r.Out);
        Assert.Contains("│ text   │ features │ 10        │ 2173  │ 0   │ 693  │ 2866  │", r.Out);
        Assert.Contains("9 warfare", r.Out);
        Assert.Contains("class embeddings: 100-d", r.Out);
        Assert.Contains("problems: none", r.Out);
    }

    [Fact]
    public void Inspect_Should_WriteJson()
    {
        var r = Run("data", "inspect", "--dataset", "synthetic:classes=3,train=10,test=4", "--json", "--seed", "2");
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(r.Out);
        var image = doc.RootElement.GetProperty("media")[0];
        Assert.Equal(64, image.GetProperty("dimension").GetInt32());
        Assert.Equal(27, image.GetProperty("counts").GetProperty("train").GetInt32());
        Assert.Equal(3, image.GetProperty("counts").GetProperty("val").GetInt32());
        Assert.Equal(16, doc.RootElement.GetProperty("class_embeddings").GetProperty("dimension").GetInt32());
    }

    [Fact]
    public void Inspect_Should_ReportAClassWithoutTestItems()
    {
        using var f = new ManifestFixture();
        var r = Run("data", "inspect", "--dataset", f.Manifest, "--val-fraction", "0");
        Assert.Equal(0, r.Code);
        Assert.Contains("warning: sound: expected test items in every class, found none for cat, dog", r.Out);
    }

    [Fact]
    public void Inspect_Should_WarnAboutAnEmptyTrainSplit_NotSayProblemsNone()
    {
        // Every item in test: no model can learn from it. This printed "problems: none".
        using var f = new ManifestFixture();
        f.Dir.File("split.txt", "test\ntest\ntest\ntest\ntest\ntest\n");
        var r = Run("data", "inspect", "--dataset", f.Manifest);
        Assert.Equal(0, r.Code);
        Assert.Contains("warning: image: expected train items (a model learns from them; a medium only indexed may have none), found none", r.Out);
        Assert.DoesNotContain("problems: none", r.Out);
    }

    [Fact]
    public void Inspect_Should_FailOnATruncatedMatFile()
    {
        using var f = new ManifestFixture();
        var mat = f.Dir.File("cut.mat", File.ReadAllBytes(Path.Combine(TestPaths.SharedData, "wikipedia", "raw_features.mat"))[..4096]);
        var r = Run("data", "inspect", "--dataset", MatManifest(f, """{ "file": "cut.mat", "variable": "I_tr" }"""));
        // The first element (I_tr, compressed) declares 649678 bytes: `xxd -s 128 -l 8 raw_features.mat` → 0f000000 cee90900.
        AssertUserError(r, mat, "variable 1 at byte 128", "649678 bytes of data", "3960 bytes left (truncated or corrupt file)");
    }

    [Fact]
    public void Inspect_Should_FailOnAMatFileWithABadHeader()
    {
        using var f = new ManifestFixture();
        var bytes = new MatV5Builder(false).Numeric("x", MxDouble, [6, 2], MiDouble, new double[12]).Build();
        "HELLO!"u8.CopyTo(bytes);
        var mat = f.Dir.File("bad.mat", bytes);
        var r = Run("data", "inspect", "--dataset", MatManifest(f, "\"bad.mat\""));
        AssertUserError(r, mat, "header", "text starting 'MATLAB 5.0 MAT-file' (a level-5 or 7.3 .mat file)", "'HELLO! 5.0 MAT-f'");
    }

    [Fact]
    public void Inspect_Should_FailOnAMatFileWithACorruptCompressedStream()
    {
        using var f = new ManifestFixture();
        var bytes = new MatV5Builder(false).Numeric("x", MxDouble, [6, 2], MiDouble, Enumerable.Range(0, 12).Select(i => i * 0.5).ToArray(), compress: true).Build();
        for (int i = 128 + 10; i < bytes.Length - 4; i++) bytes[i] = 0xFF;
        var mat = f.Dir.File("z.mat", bytes);
        var r = Run("data", "inspect", "--dataset", MatManifest(f, "\"z.mat\""));
        Assert.Equal(2, r.Code);
        Assert.StartsWith($"error: {mat}: variable 1 (compressed stream): expected a valid zlib stream, found corrupt data", r.Err);
        Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Inspect_Should_FailOnAMatArrayWhoseDataDoesNotFitItsShape()
    {
        using var f = new ManifestFixture();
        var b = new MatV5Builder(true);
        var element = b.MatrixElement("x", MxDouble, [6, 2], [b.Element(MiDouble, b.Encode(new double[10], MiDouble), false)], false, false);
        var mat = f.Dir.File("shape.mat", b.Raw(element).Build());
        var r = Run("data", "inspect", "--dataset", MatManifest(f, "\"shape.mat\""));
        AssertUserError(r, mat, "variable 'x' data", "12 values (6×2) of 8 bytes = 96 bytes", "80 bytes");
    }

    [Fact]
    public void Inspect_Should_FailOnClassEmbeddingsOfTheWrongShape()
    {
        using var f = new ManifestFixture();
        var emb = f.Dir.File("emb.csv", "1,2\n3,4\n");
        f.Write(f.Json().Replace("""{ "word_vectors": "vectors.txt" }""", "\"emb.csv\""));
        var r = Run("data", "inspect", "--dataset", f.Manifest);
        AssertUserError(r, emb, "class_embeddings (rows)", "3 rows (one per class)", "2");
    }

    [Fact]
    public void Inspect_Should_FailWhenLabelAndRowCountsDisagree()
    {
        using var f = new ManifestFixture();
        f.Dir.File("labels.txt", "cat\ndog\nbird\ncat\n");
        var r = Run("data", "inspect", "--dataset", f.Manifest);
        AssertUserError(r, f.Manifest, "media.image.labels", "6 labels (one per row of features.csv)", "4 labels");
    }

    [Fact]
    public void Inspect_Should_FailOnNanRows()
    {
        using var f = new ManifestFixture();
        var csv = f.Dir.File("features.csv", "1,0\n0,1\n1,1\n2,0\n0,2\ninf,2\n");
        var r = Run("data", "inspect", "--dataset", f.Manifest);
        AssertUserError(r, csv, "row 5 (media.image.features)", "finite values", "NaN or infinity");
    }

    [Fact]
    public void Inspect_Should_FailOnAManifestNamingAMissingFile()
    {
        using var f = new ManifestFixture();
        File.Delete(Path.Combine(f.Dir.Path, "split.txt"));
        var r = Run("data", "inspect", "--dataset", f.Manifest);
        AssertUserError(r, f.Manifest, "media.image.split", "an existing file (relative to the manifest)", "'split.txt' (not found)");
    }

    [Fact]
    public void Inspect_Should_FailOnAManifestWithABadField()
    {
        using var f = new ManifestFixture();
        f.Write(f.Json().Replace("\"name\": \"tiny\"", "\"name\": \"tiny\", \"paired\": \"yes\""));
        var r = Run("data", "inspect", "--dataset", f.Manifest);
        AssertUserError(r, f.Manifest, "paired", "true or false", "'yes'");
    }

    [Fact]
    public void Inspect_Should_FailOnAnUnknownDataset()
    {
        var r = Run("data", "inspect", "--dataset", "imagenet");
        Assert.Equal(2, r.Code);
        Assert.Equal($"error: --dataset: expected a built-in dataset ({string.Join(", ", CrossMedia.Data.DatasetCatalog.Names)}) or a manifest .json file, found 'imagenet'", r.Err.Trim());
        Assert.Contains("wikipedia, synthetic", r.Err);
    }

    [Fact]
    public void Inspect_Should_ShowValidationErrorsAndExitWithTwo()
    {
        // Paired media whose labels differ: readable files, but not a usable paired dataset.
        using var f = new ManifestFixture();
        f.Dir.File("labels2.txt", "dog\ndog\nbird\ncat\ndog\nbird\n");
        f.Write("""
            { "classes": ["cat", "dog", "bird"], "paired": true,
              "media": { "image": { "features": "features.csv", "labels": "labels.txt", "split": "split.txt" },
                         "text": { "features": "features.csv", "labels": "labels2.txt", "split": "split.txt" } } }
            """);
        var r = Run("data", "inspect", "--dataset", f.Manifest);
        Assert.Equal(2, r.Code);
        Assert.Contains("error: text item 0: expected label 0 as in image (paired), found 1", r.Out);
        Assert.Equal($"error: {f.Manifest}: text item 0: expected label 0 as in image (paired), found 1", r.Err.Trim());
        Assert.Throws<InputException>(() => CrossMedia.Data.DatasetCatalog.Load(f.Manifest, new()));
    }
}
