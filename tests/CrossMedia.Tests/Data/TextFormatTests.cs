using CrossMedia.Data;
using CrossMedia.Data.Formats;

namespace CrossMedia.Tests.Data;

public class TextFormatTests
{
    [Fact]
    public void DelimitedMatrix_Should_ReadCsvWithHeaderAndTsvWithout()
    {
        using var dir = new TempDir();
        var csv = DelimitedMatrix.Read(dir.File("a.csv", "x,y,z\n1,2,3\n4.5,-5e-1,6\n"));
        Assert.Equal((2, 3), (csv.Rows, csv.Cols));
        Assert.Equal(new float[] { 1, 2, 3, 4.5f, -0.5f, 6 }, csv.Data);
        var tsv = DelimitedMatrix.Read(dir.File("b.tsv", "1\t2\n3\t4\n"));
        Assert.Equal(new float[] { 1, 2, 3, 4 }, tsv.Data);
        var txt = DelimitedMatrix.Read(dir.File("c.txt", "# comment\n1  2\n\n3 4\n"));
        Assert.Equal(new float[] { 1, 2, 3, 4 }, txt.Data);
    }

    [Fact]
    public void DelimitedMatrix_Should_RejectRaggedRowsNamingTheLine()
    {
        using var dir = new TempDir();
        var path = dir.File("r.csv", "1,2,3\n4,5\n");
        var e = Assert.Throws<InputException>(() => DelimitedMatrix.Read(path));
        Assert.Equal("line 2", e.Field);
        Assert.Equal("3 values (as on the first row)", e.Expected);
        Assert.Equal("2", e.Found);
    }

    [Fact]
    public void DelimitedMatrix_Should_RejectNonNumbers()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<InputException>(() => DelimitedMatrix.Read(dir.File("n.csv", "1,2\n3,abc\n")));
        Assert.Equal("line 2 column 2", e.Field);
        Assert.Equal("'abc'", e.Found);
    }

    [Fact]
    public void WordVectors_Should_KeepOnlyTheVocabularyAndCheckDimensions()
    {
        using var dir = new TempDir();
        var path = dir.File("g.txt", "the 1 2 3\ncat 0.5 0.25 -1\ndog 4 5 6\n");
        var wv = WordVectors.Read(path, new HashSet<string> { "cat" });
        Assert.Equal(3, wv.Dimension);
        Assert.Equal(1, wv.Count);
        Assert.True(wv.TryGet("cat", out var cat));
        Assert.Equal(new float[] { 0.5f, 0.25f, -1 }, cat);
        Assert.False(wv.TryGet("dog", out _));

        var bad = dir.File("bad.txt", "the 1 2 3\ncat 1 2\n");
        var e = Assert.Throws<InputException>(() => WordVectors.Read(bad));
        Assert.Equal("line 2 ('cat')", e.Field);
        Assert.Equal("3 values", e.Expected);
        Assert.Equal("2", e.Found);
    }

    [Fact]
    public void FromWordVectors_Should_AverageTheWordsOfATwoWordName()
    {
        // "living_room" and "Living Room" both → mean(living, room), checked against the GloVe file itself.
        var glove = Path.Combine(TestPaths.SharedData, "glove", "glove.6B.100d.subset.txt");
        var all = WordVectors.Read(glove, new HashSet<string> { "living", "room", "music" });
        Assert.True(all.TryGet("living", out var living));
        Assert.True(all.TryGet("room", out var room));
        Assert.True(all.TryGet("music", out var music));

        var result = ClassEmbeddings.FromWordVectors(["living_room", "Music", "Living Room"], glove);
        Assert.Empty(result.MissingWords);
        Assert.Equal((3, 100), (result.Embeddings.Rows, result.Embeddings.Cols));
        for (int j = 0; j < 100; j++)
        {
            Assert.Equal((living[j] + room[j]) / 2, result.Embeddings[0, j], 6);
            Assert.Equal(music[j], result.Embeddings[1, j]);
            Assert.Equal(result.Embeddings[0, j], result.Embeddings[2, j]);
        }
    }

    [Fact]
    public void FromWordVectors_Should_ReportMissingWordsAndRejectAClassWithNone()
    {
        using var dir = new TempDir();
        var path = dir.File("g.txt", "red 1 0\ncar 0 1\n");
        var r = ClassEmbeddings.FromWordVectors(["red-car", "red zzqx"], path);
        Assert.Equal(["zzqx"], r.MissingWords);
        Assert.Equal(new float[] { 0.5f, 0.5f, 1, 0 }, r.Embeddings.Data);

        var e = Assert.Throws<InputException>(() => ClassEmbeddings.FromWordVectors(["red", "foo & bar"], path));
        Assert.Equal(path, e.Location);
        Assert.Equal("class 'foo & bar'", e.Field);
        Assert.Equal("none of foo, bar", e.Found);
    }

    [Fact]
    public void ListFile_Should_ReadSpaceAndTabSeparatedLists()
    {
        using var dir = new TempDir();
        var spaced = ListFile.Read(dir.File("a.list", "birds/a b.jpg 3\n\n# comment\ncars/c.jpg 1\n"));
        Assert.Equal([("birds/a b.jpg", "3", 1), ("cars/c.jpg", "1", 4)], spaced.Select(e => (e.Path, e.Label, e.Line)));
        var tabbed = ListFile.ReadColumns(dir.File("b.list", "t1\ti1\t6\nt2\ti2\t9\n"), 3);
        Assert.Equal(["t2", "i2", "9"], tabbed[1].Columns);
        var e = Assert.Throws<InputException>(() => ListFile.Read(dir.File("c.list", "onlypath\n")));
        Assert.Equal("line 1", e.Field);
    }
}
