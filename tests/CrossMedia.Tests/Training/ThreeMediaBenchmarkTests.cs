using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Models;
using CrossMedia.Torch;
using CrossMedia.Training;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Training;

/// <summary>
/// A generated three-media benchmark with known structure: the built-in synthetic dataset with media a, b, c
/// whose paired items share only their class (independent noise per medium), c seeing each item with a
/// quarter of the noise (<c>view_noise=1+1+0.25</c>). A method that uses all three media must report every
/// direction between two media and X→All, and rank X→All better than the same method trained and evaluated
/// on a and b alone: the third view both sharpens the common space and adds clean items to the gallery.
/// </summary>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class ThreeMediaBenchmarkTests(ITestOutputHelper output)
{
    private const string Spec = "synthetic:media=a+b+c,dims=64+32+48,view_noise=1+1+0.25,shared_noise=0,noise=1";
    private static readonly RetrievalOptions Retrieval = new(Threads: 1);

    /// <summary>Test rows of the model trained by <paramref name="train"/> on media <paramref name="media"/>, X→All included.</summary>
    private List<ResultRow> Run(string[] media, Func<Dataset, IEmbeddingModel> train, string label)
    {
        TorchRuntime.Initialize(1);
        var data = DatasetCatalog.Load(Spec + ",train=40,test=40", new DatasetLoadOptions { Seed = 1, Media = media });
        var classes = ClassSplit.AllSeen(data.ClassCount);
        using var model = train(ScenarioData.TrainingSet(data, Scenario.Standard, classes));
        Assert.Equal(media, model.Media.Select(m => m.Name));
        var rows = ScenarioEvaluation.Evaluate(model, data, Split.Test, Scenario.Standard, classes, Retrieval, includeAll: true);
        output.WriteLine($"{label}, {string.Join("+", media)}: {string.Join("  ", rows.Select(r => $"{r.Query}→{r.Gallery} {r.Map:F3}"))}");
        return rows;
    }

    private static double XAll(IEnumerable<ResultRow> rows) => rows.Where(r => r.ToAllMedia).Average(r => r.Map);

    /// <summary>Every direction between two of the three media and X→All; X→All above the two-media run's, on average and for a and b.</summary>
    private static void AssertThreeMediaBeatTwo(List<ResultRow> three, List<ResultRow> two)
    {
        string[] all = ["a", "b", "c"];
        Assert.Equal(from q in all from g in all where q != g select (q, g),
            three.Where(r => !r.ToAllMedia).Select(r => (r.Query, r.Gallery)).Order());
        Assert.Equal(all, three.Where(r => r.ToAllMedia).Select(r => r.Query).Order());
        Assert.True(XAll(three) > XAll(two) + 0.05, $"X→All: three media {XAll(three):F3}, two {XAll(two):F3}");
    }

    [Fact]
    public void Cca_Should_ReportEveryDirection_AndBeatItsTwoMediaRunOnXAll()
    {
        IEmbeddingModel Cca(Dataset training) => CcaTrainer.Fit(training, null, Retrieval).Model;
        var three = Run(["a", "b", "c"], Cca, "cca");
        var two = Run(["a", "b"], Cca, "cca");
        AssertThreeMediaBeatTwo(three, two);
        // The multi-set space is better for the media the two-media run has too.
        foreach (var q in new[] { "a", "b" })
            Assert.True(three.Single(r => r.Query == q && r.ToAllMedia).Map > two.Single(r => r.Query == q && r.ToAllMedia).Map, q);
    }

    [Fact]
    public void Jfse_Should_ReportEveryDirection_AndBeatItsTwoMediaRunOnXAll()
    {
        var options = new JfseTrainingOptions(Epochs: 8, Hidden: 64, NoiseDimension: 16, LearningRate: 1e-3, EvalEvery: 2, Seed: 1);
        IEmbeddingModel Jfse(Dataset training) => new JfseTrainer(options).Train(training).Model;
        var three = Run(["a", "b", "c"], Jfse, "jfse");
        var two = Run(["a", "b"], Jfse, "jfse");
        AssertThreeMediaBeatTwo(three, two);
    }
}
