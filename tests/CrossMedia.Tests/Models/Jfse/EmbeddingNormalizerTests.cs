using CrossMedia.Core;
using CrossMedia.Models.Jfse;

namespace CrossMedia.Tests.Models.Jfse;

public class EmbeddingNormalizerTests
{
    private static readonly Matrix Train = new([1, 10, 3, 20, 5, 30], 3, 2);

    [Fact]
    public void MinMaxScaler_Should_UseTheFittedRangeOnNewData()
    {
        var s = MinMaxScaler.Fit(Train);
        Assert.Equal([1f, 10f], s.Min);
        Assert.Equal([5f, 30f], s.Max);
        // (x − min)/(max − min), not clipped: 7 → 1.5, 0 → −0.5.
        Assert.Equal([1.5f, -0.5f], s.Apply(new Matrix([7, 0], 1, 2)).Data);
        // A constant column maps to 0.
        Assert.Equal([0f, 0f], MinMaxScaler.Fit(new Matrix([2, 2, 2, 2], 2, 2)).Apply(new Matrix([5, 9], 1, 2)).Data);
    }

    [Fact]
    public void ZScore_Should_UseTrainingMeanAndPopulationStd()
    {
        var n = EmbeddingNormalizer.Fit(Train, EmbeddingPostProcessing.Raw, zScore: true);
        // Column 0: mean 3, std sqrt(8/3); column 1: mean 20, std sqrt(200/3).
        var r = n.Apply(new Matrix([5, 10], 1, 2));
        Assert.Equal(2 / Math.Sqrt(8.0 / 3), r[0, 0], 5);
        Assert.Equal(-10 / Math.Sqrt(200.0 / 3), r[0, 1], 5);
    }

    [Fact]
    public void Softmax_And_Both_Should_ComposeAsDefined()
    {
        var x = new Matrix([0, (float)Math.Log(3)], 1, 2);
        Assert.Equal(0.25, EmbeddingNormalizer.Softmax(x)[0, 0], 6);
        Assert.Equal(0.75, EmbeddingNormalizer.Softmax(x)[0, 1], 6);
        var both = EmbeddingNormalizer.Fit(Train, EmbeddingPostProcessing.Both, zScore: false);
        var expected = both.Scaler!.Apply(EmbeddingNormalizer.Softmax(x));
        Assert.Equal(expected.Data, both.Apply(x).Data);
        Assert.Null(EmbeddingNormalizer.Fit(Train, EmbeddingPostProcessing.Softmax, false).Scaler);
    }
}
