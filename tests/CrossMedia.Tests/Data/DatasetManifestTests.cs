using CrossMedia.Data;

namespace CrossMedia.Tests.Data;

public class DatasetManifestTests
{
    private static readonly DatasetLoadOptions NoVal = new() { ValFraction = 0 };

    [Fact]
    public void Load_Should_ReadFeaturesFilesLabelsSplitsAndWordVectors()
    {
        using var f = new ManifestFixture();
        var r = DatasetCatalog.LoadDetailed(f.Manifest, NoVal);
        var d = r.Dataset;
        Assert.Equal("tiny", d.Name);
        var image = d["image"];
        Assert.Equal(new float[] { 1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 2, 2 }, image.Features!.Data);
        Assert.Equal([0, 1, 2, 0, 1, 2], image.Labels);
        Assert.Equal([Split.Train, Split.Train, Split.Train, Split.Test, Split.Test, Split.Test], image.Splits);
        var sound = d["sound"];
        Assert.Equal([0, 1, 2, 2], sound.Labels);
        Assert.Equal(Path.Combine(f.Dir.Path, "sounds", "c.wav"), sound.Files![2]);
        Assert.Equal(new float[] { 1, 0, 0, 1, 1, 1 }, d.ClassEmbeddings!.Data);
        Assert.Contains("features.csv", d.Checksums.Keys);
        Assert.Contains("data.json", d.Checksums.Keys);
        // The sound medium has no test item of cat or dog and no train item of bird: warnings, not errors.
        Assert.Equal(2, r.Problems.Count);
        Assert.False(r.Problems.HasErrors);
        var p = r.Problems.Single(x => x.Kind == ProblemKind.ClassWithoutTestItems);
        Assert.Equal(("sound", ProblemSeverity.Warning), (p.Where, p.Severity));
        Assert.Contains("cat, dog", p.Message);
        Assert.Contains("bird", r.Problems.Single(x => x.Kind == ProblemKind.ClassWithoutTrainItems).Message);
        Assert.Throws<InputException>(() => r.Problems.Require(ProblemKind.ClassWithoutTestItems));
    }

    [Fact]
    public void Load_Should_ReadPerSplitPartsWithRowRangesAndOneBasedLabels()
    {
        using var f = new ManifestFixture();
        f.Dir.File("y.csv", "1\n2\n3\n1\n2\n3\n");
        f.Write(f.Json("""
            "train": { "features": { "file": "features.csv", "rows": [0, 3] }, "labels": { "file": "y.csv", "rows": [0, 3], "base": 1 } },
            "test": { "features": { "file": "features.csv", "rows": [3, 6] }, "labels": { "file": "y.csv", "rows": [3, 6], "base": 1 } }
            """));
        var image = DatasetCatalog.Load(f.Manifest, NoVal)["image"];
        Assert.Equal([0, 1, 2, 0, 1, 2], image.Labels);
        Assert.Equal(3, image.Splits.Count(s => s == Split.Test));
        Assert.Equal(2f, image.Features![3, 0]);
    }

    [Fact]
    public void Load_Should_NameTheManifestAndFieldForAMissingFile()
    {
        using var f = new ManifestFixture();
        f.Write(f.Json("""
            "features": "nope.csv", "labels": "labels.txt", "split": "split.txt"
            """));
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal(f.Manifest, e.Location);
        Assert.Equal("media.image.features", e.Field);
        Assert.Equal("'nope.csv' (not found)", e.Found);
    }

    [Fact]
    public void Load_Should_RejectUnknownFields()
    {
        using var f = new ManifestFixture();
        f.Write(f.Json("""
            "featres": "features.csv", "labels": "labels.txt", "split": "split.txt"
            """));
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal("media.image.featres", e.Field);
        Assert.Equal("unknown field 'featres'", e.Found);
    }

    [Fact]
    public void Load_Should_RejectLabelCountsThatDisagreeWithRows()
    {
        using var f = new ManifestFixture();
        f.Dir.File("labels.txt", "cat\ndog\nbird\ncat\ndog\n");
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal("media.image.labels", e.Field);
        Assert.Equal("6 labels (one per row of features.csv)", e.Expected);
        Assert.Equal("5 labels", e.Found);
    }

    [Fact]
    public void Load_Should_RejectNanRowsNamingTheRow()
    {
        using var f = new ManifestFixture();
        f.Dir.File("features.csv", "1,0\n0,1\n1,1\n2,NaN\n0,2\n2,2\n");
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal(Path.Combine(f.Dir.Path, "features.csv"), e.Location);
        Assert.Equal("row 3 (media.image.features)", e.Field);
        Assert.Equal("NaN or infinity", e.Found);
    }

    [Fact]
    public void Load_Should_RejectSplitPartsWithDifferentDimensions()
    {
        using var f = new ManifestFixture();
        f.Dir.File("test.csv", "1,2,3\n");
        f.Write(f.Json("""
            "train": { "features": "features.csv", "labels": "labels.txt" },
            "test": { "features": "test.csv", "labels": { "file": "labels.txt", "rows": [0, 1] } }
            """));
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal("media.image.test.features", e.Field);
        Assert.Equal("2 columns (as in train)", e.Expected);
        Assert.Equal("3 columns", e.Found);
    }

    [Fact]
    public void Load_Should_HintAtBaseForOneBasedLabels()
    {
        using var f = new ManifestFixture();
        f.Dir.File("labels.txt", "1\n2\n3\n1\n2\n3\n");
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Contains("\"base\": 1", e.Expected);
        Assert.Equal("3", e.Found);
    }

    [Fact]
    public void Load_Should_RejectAMissingMediaFileNamingTheListLine()
    {
        using var f = new ManifestFixture();
        f.Dir.File("sounds.list", "a.wav 0\nb.wav 1\nmissing.wav 2\nd.wav 2\n");
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.EndsWith("sounds.list", e.Location);
        Assert.Equal("line 3", e.Field);
        Assert.Equal("'missing.wav' (not found)", e.Found);
    }

    [Fact]
    public void Load_Should_RejectInvalidJsonNamingTheLine()
    {
        using var f = new ManifestFixture();
        f.Write("{\n  \"name\": \"x\",\n  \"classes\": [\n}");
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal(f.Manifest, e.Location);
        Assert.Equal("line 4", e.Field);
    }
}
