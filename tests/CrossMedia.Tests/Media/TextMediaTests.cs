using CrossMedia.Media;

namespace CrossMedia.Tests.Media;

public class TextMediaTests
{
    [Fact]
    public void ReadAll_Should_KeepEveryLineNotOnlyTheLast()
    {
        using var files = new MediaTestFiles();
        var path = files.PathOf("bird.txt");
        File.WriteAllText(path, "\uFEFFThe cardinal is red.\r\nIt sings loudly.\r\n\r\nLast line here.\n");
        Assert.Equal("The cardinal is red.\nIt sings loudly.\n\nLast line here.", TextMedia.ReadAll(path));
        Assert.Equal(TextMedia.ReadAll(path), TextMedia.Read(path));
    }

    [Fact]
    public void ReadTuxPaintEnglish_Should_TakeTheFirstLineOnly()
    {
        using var files = new MediaTestFiles();
        var path = files.PathOf("stamp.txt");
        File.WriteAllText(path, "An albino peahen (a female peafowl).\nach.utf8=Winyo ma kala.\nfr.utf8=Une paonne albinos.\n");
        Assert.Equal("An albino peahen (a female peafowl).", TextMedia.ReadTuxPaintEnglish(path));
        Assert.Equal("An albino peahen (a female peafowl).", TextMedia.Read(path));
    }

    [Fact]
    public void ReadAll_Should_RejectEmptyAndBinaryFiles()
    {
        using var files = new MediaTestFiles();
        var empty = files.PathOf("empty.txt");
        File.WriteAllText(empty, "  \n");
        Assert.Throws<InputException>(() => TextMedia.ReadAll(empty));
        var binary = files.PathOf("binary.txt");
        File.WriteAllBytes(binary, [65, 0, 66]);
        Assert.Throws<InputException>(() => TextMedia.ReadAll(binary));
    }
}
