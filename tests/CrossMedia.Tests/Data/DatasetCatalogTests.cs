using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Data.Formats;

namespace CrossMedia.Tests.Data;

public class DatasetCatalogTests
{
    private static DatasetLoadOptions Options(double val = 0) => new() { DataRoot = TestPaths.SharedData, ValFraction = val };

    [Fact]
    public void Load_Should_ReadWikipediaWithTheStandardSplit()
    {
        var result = DatasetCatalog.LoadDetailed("wikipedia", Options());
        var d = result.Dataset;
        Assert.True(d.Paired);
        Assert.Equal(["art", "biology", "geography", "history", "literature", "media", "music", "royalty", "sport", "warfare"], d.ClassNames);
        var image = d["image"];
        var text = d["text"];
        Assert.Equal((2866, 128, 10), (image.Count, image.Dimension, text.Dimension));
        Assert.Equal(2173, image.Splits.Count(s => s == Split.Train));
        Assert.Equal(693, image.Splits.Count(s => s == Split.Test));
        Assert.Equal(0, image.Splits.Count(s => s == Split.Val));
        // Train label counts from `cut -f3 trainset_txt_img_cat.list | sort -n | uniq -c`.
        Assert.Equal([138, 272, 244, 248, 202, 178, 186, 144, 214, 347], DatasetValidator.Counts(image, Split.Train, 10));
        // First train line: "b3150b0c281960b6a6d33407824fd40a-3  ceb47321a83dd824cec2d5d3f2034765  6".
        Assert.Equal("ceb47321a83dd824cec2d5d3f2034765", image.Ids[0]);
        Assert.Equal("b3150b0c281960b6a6d33407824fd40a-3", text.Ids[0]);
        Assert.Equal(5, image.Labels[0]);
        // Known values (scipy): I_tr[0,0], T_te[0,0] (row 2173 = first test item), T_te[-1,-1].
        Assert.Equal(0.03732303902506828f, image.Features![0, 0]);
        Assert.Equal(0.054705003734129926f, text.Features![2173, 0]);
        Assert.Equal(0.0488226059654631f, text.Features![2865, 9]);

        var mat = Path.Combine(TestPaths.SharedData, "wikipedia", "raw_features.mat");
        Assert.Equal(Checksum.Sha256File(mat), d.Checksums["wikipedia/raw_features.mat"]);
        Assert.Equal(5, d.Checksums.Count); // the mat, two lists, categories, GloVe

        Assert.Equal((10, 100), (d.ClassEmbeddings!.Rows, d.ClassEmbeddings.Cols));
        var glove = WordVectors.Read(Path.Combine(TestPaths.SharedData, "glove", "glove.6B.100d.subset.txt"), new HashSet<string> { "warfare" });
        Assert.True(glove.TryGet("warfare", out var warfare));
        Assert.Equal(warfare, d.ClassEmbeddings.RowReadOnly(9).ToArray());
        Assert.Empty(result.MissingWords);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Load_Should_CarveAStratifiedValidationSplitFromWikipediaTraining()
    {
        var d = DatasetCatalog.Load("wikipedia", Options(0.1) with { Seed = 7 });
        var val = DatasetValidator.Counts(d["image"], Split.Val, 10);
        Assert.Equal([14, 27, 24, 25, 20, 18, 19, 14, 21, 35], val); // round(0.1 × train count)
        Assert.Equal(693, d["text"].Splits.Count(s => s == Split.Test));
        Assert.Equal(d["image"].Splits, d["text"].Splits);
    }

    [Fact]
    public void Load_Should_NameTheKnownDatasetsForAnUnknownName()
    {
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load("wikipeda", Options()));
        Assert.Contains("wikipedia", e.Expected);
        Assert.Contains("synthetic", e.Expected);
        Assert.Equal("'wikipeda'", e.Found);
    }

    [Fact]
    public void Load_Should_PassSyntheticParametersFromTheName()
    {
        var d = DatasetCatalog.Load("synthetic:classes=3,train=4,test=2,seed=1", Options(0.25));
        Assert.Equal(3, d.ClassCount);
        Assert.Equal([3, 3, 3], DatasetValidator.Counts(d["image"], Split.Train, 3));
        Assert.Equal([1, 1, 1], DatasetValidator.Counts(d["image"], Split.Val, 3));
    }

    [Fact]
    public void Load_Should_KeepOnlyTheMediaNamedInTheirGivenOrder()
    {
        var all = DatasetCatalog.Load("synthetic:classes=3,train=4,test=2,seed=1", Options(0.25));
        Assert.True(all.Media.Count >= 2);
        var last = all.Media[^1].Name;
        var d = DatasetCatalog.Load("synthetic:classes=3,train=4,test=2,seed=1", Options(0.25) with { Media = [last.ToUpperInvariant()] });
        Assert.Equal([last], d.Media.Select(m => m.Name));
        Assert.Equal(all[last].Labels, d[last].Labels);
    }

    [Theory]
    [InlineData("sound", "'sound'")]
    [InlineData("image,image", "'image' twice")]
    public void Load_Should_RefuseMediaTheDatasetDoesNotHaveOrTwice(string media, string found)
    {
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load("synthetic:classes=3,train=4,test=2,seed=1", Options(0.25) with { Media = media.Split(',') }));
        Assert.Equal("media", e.Location);
        Assert.Equal(found, e.Found);
    }

    [Fact]
    public void ResolveDataRoot_Should_RejectAMissingFolder()
    {
        var e = Assert.Throws<InputException>(() => new DatasetLoadOptions { DataRoot = "/no/such/dir" }.ResolveDataRoot());
        Assert.Equal("data-root", e.Location);
    }
}
