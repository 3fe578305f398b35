using CrossMedia.Evaluation;
using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

public class ClassSplitTests
{
    static readonly string[] Names =
    [
        "animals/birds", "animals/fish", "animals/insects", "animals/mammals",
        "food/fruit", "food/vegetables", "town/houses", "town/roadsigns", "space", "sports",
    ];

    [Fact]
    public void RandomSpreadsUnseenClassesOverGroupsRoundRobin()
    {
        // 5 groups (animals, food, town, space, sports); 40 % of 10 classes = 4 unseen, so no group
        // may give two before every group has given one.
        for (int seed = 1; seed <= 20; seed++)
        {
            var split = ClassSplit.Random(Names, 0.4, seed);
            Assert.Equal(4, split.Unseen.Count);
            Assert.Equal(6, split.Seen.Count);
            var groups = split.Unseen.Select(c => Names[c].Split('/')[0]).ToList();
            Assert.Equal(groups.Count, groups.Distinct().Count());
        }
    }

    [Fact]
    public void RandomIsFixedBySeedAndVariesWithIt()
    {
        var a = ClassSplit.Random(Names, 0.4, 3).Unseen.Order().ToArray();
        Assert.Equal(a, ClassSplit.Random(Names, 0.4, 3).Unseen.Order().ToArray());
        var distinct = Enumerable.Range(1, 10).Select(s => string.Join(",", ClassSplit.Random(Names, 0.4, s).Unseen.Order())).Distinct().Count();
        Assert.True(distinct >= 5, $"only {distinct} different splits from 10 seeds");
    }

    [Fact]
    public void RandomTakesSecondClassesOnlyAfterEveryGroupGaveOne()
    {
        // 8 of 10: every group once (5), then three more from groups with a second class.
        var split = ClassSplit.Random(Names, 0.8, 2);
        Assert.Equal(8, split.Unseen.Count);
        Assert.Contains(Array.IndexOf(Names, "space"), split.Unseen);
        Assert.Contains(Array.IndexOf(Names, "sports"), split.Unseen);
    }

    [Fact]
    public void ParseReadsRandomRuleWithOptionalSeed()
    {
        Assert.Equal(ClassSplit.Random(Names, 0.25, 7).Unseen.Order(), ClassSplit.Parse("random:0.25", Names, seed: 7).Unseen.Order());
        Assert.Equal(ClassSplit.Random(Names, 0.25, 9).Unseen.Order(), ClassSplit.Parse("random:0.25:9", Names, seed: 7).Unseen.Order());
        Assert.Equal(3, ClassSplit.Random(Names, 0.25, 9).Unseen.Count); // round(2.5) away from zero
    }

    [Theory]
    [InlineData("random:")]
    [InlineData("random:1.5")]
    [InlineData("random:0")]
    [InlineData("random:0.5:x")]
    [InlineData("random:0.5:1:2")]
    public void ParseRefusesBadRandomRule(string text)
    {
        var e = Assert.Throws<InputException>(() => ClassSplit.Parse(text, Names));
        Assert.Equal("unseen", e.Location);
        Assert.Contains("random:FRACTION", e.Message);
    }
}
