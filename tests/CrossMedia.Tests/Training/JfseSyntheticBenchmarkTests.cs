using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Torch;
using CrossMedia.Training;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Training;

/// <summary>
/// JFSE against plain CCA (fixed ridge 1e-3, no correlation weighting: <c>new CcaConfig()</c>),
/// both scored by the project's scenario evaluation (test split, cosine, full ranking).
/// Data: <see cref="JfseTestData"/> — 20 classes, paired image/text items that share only their class
/// (independent noise per medium), 8-d class embeddings. This is the regime JFSE is built for: the
/// class embeddings carry the structure, pairs carry no item-level signal beyond the class.
/// (On the data module's built-in <c>synthetic</c> benchmark, whose paired items share their latent
/// noise, CCA exploits that shared noise and wins; and the validation-tuned CCA of
/// <see cref="CcaTrainer"/> (correlation-weighted) matches this small JFSE here: 0.438 vs 0.444 standard,
/// 0.440 vs 0.377 unseen — see docs/results-jfse.md. Those comparisons are reported, not asserted.)
/// Small JFSE: hidden 128, 30 epochs, learning rate 1e-3 instead of the paper's 1e-4 to need few epochs.
/// </summary>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))]
public class JfseSyntheticBenchmarkTests(ITestOutputHelper output)
{
    private static JfseTrainingOptions Small() =>
        new(Epochs: 30, Hidden: 128, NoiseDimension: 16, LearningRate: 1e-3, EvalEvery: 2, Seed: 3);

    private double Compare(Scenario scenario, ClassSplit classes, Subset subset)
    {
        TorchRuntime.Initialize(1);
        var data = JfseTestData.Build(classes: 20, perClass: 24, dimC: 8);
        var training = ScenarioData.TrainingSet(data, scenario, classes);
        var retrieval = new RetrievalOptions(Threads: 1);
        var train = training.Select(Split.Train);
        using var cca = CrossMedia.Models.Cca.CcaModel.Fit([("image", train["image"].Features!), ("text", train["text"].Features!)], new CrossMedia.Models.Cca.CcaConfig());
        var unseen = scenario == Scenario.Standard ? new HashSet<int>() : classes.Unseen.ToHashSet();
        using var jfse = new JfseTrainer(Small()).Train(training, unseen).Model;
        double Score(CrossMedia.Models.IEmbeddingModel m) =>
            ScenarioEvaluation.Average(ScenarioEvaluation.Evaluate(m, data, Split.Test, scenario, classes, retrieval), Split.Test, subset);
        double j = Score(jfse), c = Score(cca);
        output.WriteLine($"{scenario} {subset}: jfse {j:F4} cca {c:F4}");
        return j - c;
    }

    /// <summary>
    /// The built-in benchmark in the regime of classes with unlike members (<c>forms=2</c>: every class shows
    /// as +u_c or −u_c; paired items share only class and form), against CCA with ridge and correlation
    /// weighting chosen on validation, as `train --method cca` runs it. Measured with the CLI on seeds 1/2/3:
    /// JFSE .531/.535/.552 vs CCA .438/.415/.422 (docs/results-jfse.md).
    /// </summary>
    [Fact]
    public void Jfse_Should_BeatValidationTunedCcaClearly_InTheStandardScenario_OnTheBuiltInBenchmark()
    {
        TorchRuntime.Initialize(1);
        var data = DatasetCatalog.Load("synthetic:classes=20,shared_noise=0,forms=2", new DatasetLoadOptions { Seed = 1 });
        var classes = ClassSplit.AllSeen(data.ClassCount);
        var training = ScenarioData.TrainingSet(data, Scenario.Standard, classes);
        var retrieval = new RetrievalOptions(Threads: 1);
        using var cca = CcaTrainer.Fit(training, null, retrieval).Model;
        using var jfse = new JfseTrainer(Small() with { Epochs = 40, Seed = 1 }).Train(training).Model;
        double Score(CrossMedia.Models.IEmbeddingModel m) =>
            ScenarioEvaluation.Average(ScenarioEvaluation.Evaluate(m, data, Split.Test, Scenario.Standard, classes, retrieval), Split.Test, Subset.All);
        double j = Score(jfse), c = Score(cca);
        output.WriteLine($"built-in synthetic forms=2, standard: jfse {j:F4} validation-tuned cca {c:F4}");
        Assert.True(j - c > 0.05, $"jfse {j:F4} vs cca {c:F4}");
    }

    [Fact]
    public void Jfse_Should_BeatPlainCcaClearly_InTheStandardScenario() =>
        Assert.True(Compare(Scenario.Standard, ClassSplit.AllSeen(20), Subset.All) > 0.1);

    [Fact]
    public void Jfse_Should_BeatPlainCcaClearly_OnUnseenClasses_InZeroShot() =>
        Assert.True(Compare(Scenario.Zsl, ClassSplit.EvenIndexUnseen(20), Subset.Unseen) > 0.1);
}
