using CrossMedia.Data;

namespace CrossMedia.Tests.Data;

/// <summary>`"labels": {"file": "x.list", "column": N}`: labels read from one column of a list file (issue 12, item 3).</summary>
public class ManifestLabelColumnTests
{
    private static readonly DatasetLoadOptions NoVal = new() { ValFraction = 0 };

    /// <summary>The fixture with the image labels taken from <paramref name="labels"/> (a JSON value).</summary>
    private static ManifestFixture With(string labels)
    {
        var f = new ManifestFixture();
        f.Write(f.Json($$"""
            "features": "features.csv", "labels": {{labels}}, "split": "split.txt"
            """));
        return f;
    }

    [Fact]
    public void Load_Should_ReadLabelsFromAColumnOfAListFile()
    {
        using var f = With("""{ "file": "pairs.list", "column": 3, "base": 1 }""");
        // Space-separated, tab-separated and a comment: Wikipedia's "text_id image_id class" layout.
        f.Dir.File("pairs.list", "t1 i1 1\nt2 i2 2\n# comment\nt3\ti3\t3\nt4   i4 1\nt5 i5 2\nt6 i6 3\n");
        Assert.Equal([0, 1, 2, 0, 1, 2], DatasetCatalog.Load(f.Manifest, NoVal)["image"].Labels);
    }

    [Fact]
    public void Load_Should_ReadClassNamesFromAColumn()
    {
        using var f = With("""{ "file": "pairs.list", "column": 2 }""");
        f.Dir.File("pairs.list", "a cat x\nb dog x\nc bird x\nd cat x\ne dog x\nf bird x\n");
        Assert.Equal([0, 1, 2, 0, 1, 2], DatasetCatalog.Load(f.Manifest, NoVal)["image"].Labels);
    }

    [Fact]
    public void Load_Should_NameFileLineAndColumn_WhenALineHasNoSuchColumn()
    {
        using var f = With("""{ "file": "pairs.list", "column": 3 }""");
        var list = f.Dir.File("pairs.list", "t1 i1 0\nt2 i2 1\nt3 i3\nt4 i4 0\nt5 i5 1\nt6 i6 2\n");
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal($"{list}: line 3, column 3 (media.image.labels): expected a label in column 3, found 2 columns ('t3 i3')", e.Message);
    }

    [Fact]
    public void Load_Should_NameFileLineAndColumn_WhenAValueIsNotALabel()
    {
        using var f = With("""{ "file": "pairs.list", "column": 3 }""");
        var list = f.Dir.File("pairs.list", "t1 i1 0\nt2 i2 1.5\nt3 i3 2\nt4 i4 0\nt5 i5 1\nt6 i6 2\n");
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal($"{list}: line 2, column 3 (media.image.labels): expected a class name or number, found '1.5'", e.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("\"3\"")]
    [InlineData("2.5")]
    public void Load_Should_RefuseAColumnThatIsNotAPositiveInteger(string column)
    {
        using var f = With($$"""{ "file": "labels.txt", "column": {{column}} }""");
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.StartsWith($"{f.Manifest}: media.image.labels.column: expected a 1-based column number (1, 2, ...), found", e.Message);
    }

    [Fact]
    public void Load_Should_RefuseAColumnOfANumericFile()
    {
        using var f = With("""{ "file": "labels.csv", "column": 1 }""");
        f.Dir.File("labels.csv", "0\n1\n2\n0\n1\n2\n");
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.StartsWith($"{f.Manifest}: media.image.labels.column: expected a text file of columns", e.Message);
    }
}
