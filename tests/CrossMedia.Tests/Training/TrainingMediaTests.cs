using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Models.Cca;
using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

public class TrainingMediaTests
{
    private static Medium Features(string name, int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (float)rng.NextDouble();
        return new Medium(name, m, null, Enumerable.Range(0, rows).Select(i => i % 2).ToArray(), Enumerable.Repeat(Split.Train, rows).ToArray());
    }

    private static Medium Files(string name, int rows) =>
        new(name, null, Enumerable.Range(0, rows).Select(i => $"{name}{i}.png").ToArray(), Enumerable.Range(0, rows).Select(i => i % 2).ToArray(),
            Enumerable.Repeat(Split.Train, rows).ToArray());

    private static Dataset Data() => new("mixed", [Features("a", 20, 4, 1), Files("photo", 20), Features("b", 20, 3, 2), Features("c", 20, 5, 3)], ["x", "y"], paired: true);

    [Fact]
    public void FeatureMedia_Should_TakeEveryMediumOfFeatureVectors_AndRefuseAChosenMediumOfFiles()
    {
        Assert.Equal(["a", "b", "c"], TrainingMedia.FeatureMedia(Data(), null, "cca"));
        Assert.Equal(["c", "a"], TrainingMedia.FeatureMedia(Data(), ["c", "a"], "cca"));
        var e = Assert.Throws<InputException>(() => TrainingMedia.FeatureMedia(Data(), ["a", "photo"], "jfse"));
        Assert.Contains("photo", e.Field);
        Assert.Contains("feature vectors for jfse", e.Expected);
        var one = new Dataset("one", [Features("a", 20, 4, 1), Files("photo", 20)], ["x", "y"], paired: true);
        Assert.Contains("photo (files)", Assert.Throws<InputException>(() => TrainingMedia.FeatureMedia(one, null, "cca")).Found);
    }

    [Fact]
    public void LeftOut_Should_WarnForEveryMediumTheModelDoesNotUse_SayingWhy()
    {
        var data = Data();
        using var model = CcaModel.Fit([("a", data["a"].Features!), ("b", data["b"].Features!)], new CcaConfig());
        var warnings = TrainingMedia.LeftOut(data, ["d"], model);
        Assert.Equal(3, warnings.Count);
        Assert.Equal("medium 'd' of the dataset left out by the media selection; cca trains on a, b", warnings[0]);
        Assert.Equal("medium 'photo' left out: it holds media files, which cca cannot use; cca trains on a, b", warnings[1]);
        Assert.Equal("medium 'c' left out: not among the media it was given; cca trains on a, b", warnings[2]);
    }
}
