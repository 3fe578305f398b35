using System.IO.Compression;
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

public class DatasetManifestMatTests
{
    [Fact]
    public void Load_Should_ReadFeaturesLabelsAndSplitCodesFromOneMatFileForPairedMedia()
    {
        using var f = new ManifestFixture();
        // X: 4×2 features (column-major 1..8), T: 4×3, y: 1-based labels, s: split codes 0/1/2.
        var b = new MatV5Builder(bigEndian: true)
            .Numeric("X", MatV5Builder.MxDouble, [4, 2], MatV5Builder.MiDouble, [1, 2, 3, 4, 5, 6, 7, 8], compress: true)
            .Numeric("T", MatV5Builder.MxSingle, [4, 3], MatV5Builder.MiSingle, Enumerable.Range(0, 12).Select(i => (double)i).ToArray())
            .Numeric("y", MatV5Builder.MxUInt8, [4, 1], MatV5Builder.MiUInt8, [1, 3, 2, 3])
            .Numeric("s", MatV5Builder.MxDouble, [1, 4], MatV5Builder.MiUInt8, [0, 1, 2, 2]);
        f.Dir.File("all.mat", b.Build());
        f.Write("""
            { "classes": "classes.txt", "paired": true,
              "media": {
                "image": { "features": { "file": "all.mat", "variable": "X" }, "labels": { "file": "all.mat", "variable": "y", "base": 1 }, "split": { "file": "all.mat", "variable": "s" } },
                "text": { "features": { "file": "all.mat", "variable": "T" }, "labels": { "file": "all.mat", "variable": "y", "base": 1 }, "split": { "file": "all.mat", "variable": "s" } } } }
            """);
        f.Dir.File("classes.txt", "cat\ndog\nbird\n");
        var d = DatasetCatalog.Load(f.Manifest, new DatasetLoadOptions { ValFraction = 0.5 });
        Assert.True(d.Paired);
        Assert.Equal(new float[] { 1, 5, 2, 6, 3, 7, 4, 8 }, d["image"].Features!.Data);
        Assert.Equal([0, 2, 1, 2], d["text"].Labels);
        // The dataset has a val item already, so --val-fraction leaves the split alone.
        Assert.Equal([Split.Train, Split.Val, Split.Test, Split.Test], d["text"].Splits);
        Assert.Null(d.ClassEmbeddings);
    }

    [Fact]
    public void Load_Should_RejectPairedMediaWithDifferentCounts()
    {
        using var f = new ManifestFixture();
        f.Write(f.Json().Replace("\"name\": \"tiny\"", "\"name\": \"tiny\", \"paired\": true"));
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, new DatasetLoadOptions()));
        Assert.Equal("paired", e.Field);
        Assert.Equal("image=6, sound=4", e.Found);
    }
}

public class DatasetManifestNpyTests
{
    [Fact]
    public void Load_Should_ReadNpyAndNpzSources()
    {
        using var f = new ManifestFixture();
        var x = new CrossMedia.Core.Matrix([1, 2, 3, 4, 5, 6], 3, 2);
        CrossMedia.Data.Formats.NpyFile.Write(Path.Combine(f.Dir.Path, "x.npy"), x);
        CrossMedia.Data.Formats.NpyFile.Write(Path.Combine(f.Dir.Path, "y.npy"), new[] { 2, 0, 1 });
        // An .npz archive: a zip of .npy entries.
        var npz = Path.Combine(f.Dir.Path, "s.npz");
        using (var zip = System.IO.Compression.ZipFile.Open(npz, System.IO.Compression.ZipArchiveMode.Create))
        {
            var tmp = Path.Combine(f.Dir.Path, "split.npy");
            CrossMedia.Data.Formats.NpyFile.Write(tmp, new[] { 0, 2, 2 });
            zip.CreateEntryFromFile(tmp, "split.npy");
            zip.CreateEntryFromFile(Path.Combine(f.Dir.Path, "y.npy"), "other.npy");
        }
        f.Write("""
            { "classes": ["cat", "dog", "bird"],
              "media": { "image": { "features": "x.npy", "labels": "y.npy", "split": { "file": "s.npz", "variable": "split" } } } }
            """);
        var image = DatasetCatalog.Load(f.Manifest, new DatasetLoadOptions { ValFraction = 0 })["image"];
        Assert.Equal(x.Data, image.Features!.Data);
        Assert.Equal([2, 0, 1], image.Labels);
        Assert.Equal([Split.Train, Split.Test, Split.Test], image.Splits);

        f.Write(f.Json().Replace("\"split\": \"split.txt\"", "\"split\": \"s.npz\""));
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, new DatasetLoadOptions()));
        Assert.Equal("variable", e.Field);
        Assert.Equal("other, split", e.Found);
    }
}
