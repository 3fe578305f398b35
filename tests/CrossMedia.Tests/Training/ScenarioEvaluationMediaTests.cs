using CrossMedia.Evaluation;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Media;
using CrossMedia.Models;
using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

/// <summary>
/// Evaluating a dataset after training leaves out a test file the model cannot decode (with its
/// label) and reports it, as training does; it neither fails the run nor ranks a made-up vector.
/// </summary>
public class ScenarioEvaluationMediaTests
{
    [Fact]
    public void Evaluate_Should_LeaveOutAndReportUndecodableFiles()
    {
        // Two classes; every item embeds as its class's one-hot vector, so retrieval is perfect
        // over the items that decode. "bad" files fail to decode, as an FGCrossNet model reports them.
        string[] imageFiles = ["a0.png", "bad.png", "b0.png", "b1.png"];
        string[] textFiles = ["a0.txt", "b0.txt", "a1.txt"];
        var data = new Dataset("toy", [
            new Medium("image", null, imageFiles, [0, 1, 1, 1], [Split.Test, Split.Test, Split.Test, Split.Test]),
            new Medium("text", null, textFiles, [0, 1, 0], [Split.Test, Split.Test, Split.Test]),
        ], ["a", "b"]);
        var skipped = new List<MediaProblem>();

        var rows = ScenarioEvaluation.Evaluate(new OneHotModel(), data, Split.Test, Scenario.Standard, null, skipped: skipped.Add);

        Assert.Equal("bad.png", Assert.Single(skipped).Path);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(1.0, r.Map, 6));
        Assert.Equal(3, rows.Single(r => r.Query == "image").Queries);
    }

    private sealed class OneHotModel : IEmbeddingModel
    {
        public string Method => "one-hot";
        public int EmbeddingDimension => 2;
        public IReadOnlyList<MediumSpec> Media => [new("image", 0, true), new("text", 0, true)];

        public Matrix Embed(EmbeddingInput input, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
        {
            var files = input.Sources!.Select(s => s.Name).ToArray();
            var bad = files.Where(f => f.StartsWith("bad", StringComparison.Ordinal))
                .Select(f => new MediaProblem(f, "expected a picture, found an empty file", new InputException(f, "", "a picture", "an empty file"))).ToArray();
            if (bad.Length > 0) throw new UndecodableMediaException(bad);
            var m = new Matrix(files.Length, 2);
            for (int i = 0; i < files.Length; i++) m[i, files[i][0] == 'a' ? 0 : 1] = 1;
            return m;
        }

        public void Save(string directory) { }
        public void Dispose() { }
    }
}
