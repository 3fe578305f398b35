using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

/// <summary>The keep-best rule both trainers select by (JFSE per post-processing and epoch, FGCrossNet per epoch).</summary>
public class EpochSelectionTests
{
    [Theory]
    [InlineData(0.30, false, null, null, true)]        // nothing selected yet
    [InlineData(0.10, true, null, null, true)]         // even a degenerate first result
    [InlineData(0.40, false, 0.30, false, true)]       // higher score
    [InlineData(0.30, false, 0.30, false, false)]      // a tie keeps the earlier one
    [InlineData(0.20, false, 0.41, true, true)]        // a real ranking beats a tied one that scores higher
    [InlineData(0.90, true, 0.20, false, false)]       // a tied ranking never replaces a real one
    [InlineData(0.45, true, 0.41, true, true)]         // among tied ones, the higher score
    public void Replaces_Should_PreferRealRankings_ThenHigherScores(double score, bool degenerate, double? selectedScore, bool? selectedDegenerate, bool expected)
    {
        (double, bool)? selected = selectedScore is { } s ? (s, selectedDegenerate!.Value) : null;
        Assert.Equal(expected, EpochSelection.Replaces(score, degenerate, selected));
    }
}
