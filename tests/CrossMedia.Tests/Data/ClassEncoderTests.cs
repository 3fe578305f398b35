using CrossMedia.Data;
using CrossMedia.Encoders;

namespace CrossMedia.Tests.Data;

/// <summary>Class embeddings from class names through MiniLM (issue 10, item 4), beside GloVe.</summary>
public class ClassEncoderTests
{
    private static readonly DatasetLoadOptions NoVal = new() { ValFraction = 0 };

    private static float[] Encode(string sentence)
    {
        using var encoder = new MiniLmTextEncoder(threads: 1);
        return encoder.Encode([sentence]).Row(0).ToArray();
    }

    [Fact]
    public void Manifest_Should_EmbedClassNamesWithMiniLm_WhenAskedFor()
    {
        using var f = new ManifestFixture();
        f.Write(f.Json().Replace("\"class_embeddings\": { \"word_vectors\": \"vectors.txt\" }", "\"class_embeddings\": { \"encoder\": \"minilm\" }"));
        var r = DatasetCatalog.LoadDetailed(f.Manifest, NoVal);
        var e = r.Dataset.ClassEmbeddings!;
        Assert.Equal((3, 384), (e.Rows, e.Cols));
        Assert.Equal("minilm (class names)", r.ClassEmbeddingSource);
        Assert.Equal(Encode("dog"), e.Row(1).ToArray(), new FloatTolerance(1e-5f));
    }

    [Fact]
    public void Manifest_Should_NameAnUnknownEncoder()
    {
        using var f = new ManifestFixture();
        f.Write(f.Json().Replace("\"class_embeddings\": { \"word_vectors\": \"vectors.txt\" }", "\"class_embeddings\": { \"encoder\": \"bert\" }"));
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal((f.Manifest, "class_embeddings.encoder", "'bert'"), (e.Location, e.Field, e.Found));
    }

    [Fact]
    public void ClassEncoderOption_Should_ReplaceTheDatasetsGloVeEmbeddings()
    {
        var glove = DatasetCatalog.LoadDetailed("wikipedia", new DatasetLoadOptions { DataRoot = TestPaths.SharedData, Seed = 1 });
        var minilm = DatasetCatalog.LoadDetailed("wikipedia", new DatasetLoadOptions { DataRoot = TestPaths.SharedData, Seed = 1, ClassEncoder = "minilm" });
        Assert.Equal(100, glove.Dataset.ClassEmbeddings!.Cols);
        Assert.Equal((10, 384), (minilm.Dataset.ClassEmbeddings!.Rows, minilm.Dataset.ClassEmbeddings.Cols));
        Assert.Equal("minilm (class names)", minilm.ClassEmbeddingSource);
        Assert.Equal(Encode("warfare"), minilm.Dataset.ClassEmbeddings.Row(9).ToArray(), new FloatTolerance(1e-5f));
        // The same items and split: only the class embeddings differ.
        Assert.Equal(glove.Dataset["image"].Count, minilm.Dataset["image"].Count);
        var bad = Assert.Throws<InputException>(() => DatasetCatalog.Load("wikipedia", new DatasetLoadOptions { DataRoot = TestPaths.SharedData, ClassEncoder = "glove2" }));
        Assert.Equal("class-encoder", bad.Location);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float value) => 0;
    }
}
