using CrossMedia.Core;
using CrossMedia.Data;

namespace CrossMedia.Tests.Data;

public class DatasetValidatorTests
{
    private static Medium M(string name, params Split[] splits) =>
        new(name, new Matrix(new float[splits.Length * 2], splits.Length, 2), null, splits.Select((_, i) => i % 2).ToArray(), splits);

    [Fact]
    public void Check_Should_Warn_WhenAMediumHasNoTrainItemsAtAll()
    {
        // Before, only classes without train items were named, and only when some class had some: an empty train
        // split passed as "problems: none".
        var ds = new Dataset("d", [M("image", Split.Train, Split.Train, Split.Test, Split.Test), M("text", Split.Test, Split.Test)], ["a", "b"]);
        var problems = DatasetValidator.Check(ds);
        var p = Assert.Single(problems);
        Assert.Equal((ProblemKind.NoTrainItems, "text", ProblemSeverity.Warning), (p.Kind, p.Where, p.Severity));
        Assert.Contains("expected train items", p.Message);
    }
}
