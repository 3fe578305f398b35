using CrossMedia.Core;
using CrossMedia.Data;

namespace CrossMedia.Tests.Data;

public class ValidationSplitTests
{
    private static Dataset Make(int[] perClass, bool paired)
    {
        var labels = perClass.SelectMany((n, c) => Enumerable.Repeat(c, n)).Concat(Enumerable.Range(0, perClass.Length)).ToArray();
        var splits = labels.Select((_, i) => i < perClass.Sum() ? Split.Train : Split.Test).ToArray();
        Medium M(string name) => new(name, new Matrix(labels.Length, 2), null, labels, splits);
        return new Dataset("t", [M("a"), M("b")], perClass.Select((_, c) => $"c{c}").ToArray(), paired: paired);
    }

    [Fact]
    public void Carve_Should_KeepClassProportionsAndTheSameRowsInPairedMedia()
    {
        var d = ValidationSplit.Carve(Make([100, 50, 20, 2, 1], paired: true), 0.2, seed: 4);
        var a = d["a"];
        var val = DatasetValidator.Counts(a, Split.Val, 5);
        Assert.Equal([20, 10, 4, 1, 0], val); // round(0.2 n), at least 1 when n ≥ 2, none when n = 1
        Assert.Equal([80, 40, 16, 1, 1], DatasetValidator.Counts(a, Split.Train, 5));
        Assert.Equal([1, 1, 1, 1, 1], DatasetValidator.Counts(a, Split.Test, 5));
        Assert.Equal(a.Splits, d["b"].Splits);
    }

    [Fact]
    public void Carve_Should_BeSeededAndDrawUnpairedMediaIndependently()
    {
        var baseSet = Make([40, 40], paired: false);
        var x = ValidationSplit.Carve(baseSet, 0.25, 1);
        var y = ValidationSplit.Carve(baseSet, 0.25, 1);
        var z = ValidationSplit.Carve(baseSet, 0.25, 2);
        Assert.Equal(x["a"].Splits, y["a"].Splits);
        Assert.NotEqual(x["a"].Splits, z["a"].Splits);
        Assert.NotEqual(x["a"].Splits, x["b"].Splits);
        Assert.Equal([10, 10], DatasetValidator.Counts(x["b"], Split.Val, 2));
    }

    [Fact]
    public void Carve_Should_LeaveAnExistingValidationSplitAlone()
    {
        var d = ValidationSplit.Carve(Make([10, 10], paired: true), 0.3, 0);
        var again = ValidationSplit.Carve(d, 0.5, 9);
        Assert.Same(d, again);
        Assert.Throws<InputException>(() => ValidationSplit.Carve(d, 1.0, 0));
    }
}
