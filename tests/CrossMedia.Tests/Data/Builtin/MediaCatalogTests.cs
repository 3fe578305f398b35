using CrossMedia.Data;
using CrossMedia.Tests.Media;

namespace CrossMedia.Tests.Data.Builtin;

public class MediaCatalogTests
{
    [Fact]
    public void Catalog_Should_LoadSyntheticMediaWithParameters()
    {
        using var files = new MediaTestFiles();
        var d = DatasetCatalog.Load("synthetic-media:classes=2,train=2,val=1,test=1,media=image+text,seed=3",
            new DatasetLoadOptions { DataRoot = files.Root });
        Assert.Equal(["image", "text"], d.Media.Select(m => m.Name));
        Assert.Equal(8, d["image"].Count);
        Assert.Equal(2, d["image"].RowsOf(Split.Val).Length);
        Assert.All(d["text"].Files!, f => Assert.StartsWith(files.Root, f));
        Assert.Throws<InputException>(() => DatasetCatalog.Load("synthetic-media:colour=red", new DatasetLoadOptions { DataRoot = files.Root }));
    }

    [TuxPaintFact]
    public void Catalog_Should_LoadTuxPaintWithoutVideos()
    {
        var d = DatasetCatalog.Load("tuxpaint:video=false,depth=2", new DatasetLoadOptions());
        Assert.Equal(["image", "text", "audio"], d.Media.Select(m => m.Name));
        Assert.Contains("animals/birds", d.ClassNames);
    }
}
