using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Index;
using CrossMedia.Models;
using CrossMedia.Torch;
using CrossMedia.Training;

namespace CrossMedia.Examples;

/// <summary>
/// CrossMedia as a library, end to end: files → dataset → model → embeddings → evaluation and index.
/// Trains JFSE on the built-in synthetic benchmark (no data files needed), evaluates it the way papers
/// report it, saves and reloads the model, builds a search index over every item and looks up the
/// texts nearest to one test image.
/// </summary>
public static class Quickstart
{
    public sealed record Outcome(double TestMap, int QueryLabel, IReadOnlyList<SearchHit> Hits);

    public static Outcome Run(string workDirectory, TextWriter log)
    {
        TorchRuntime.Initialize(threads: 1);

        // A dataset: media of items with labels and train/val/test splits (here 10 classes, image + text features).
        var data = DatasetCatalog.Load("synthetic:classes=10", new DatasetLoadOptions { Seed = 1 });

        // Train on what the scenario allows (train + val; validation picks the epoch), then evaluate test once.
        var classes = ClassSplit.AllSeen(data.ClassCount);
        var training = ScenarioData.TrainingSet(data, Scenario.Standard, classes);
        var options = new JfseTrainingOptions(Epochs: 10, Hidden: 128, LearningRate: 1e-3, Seed: 1);
        using var model = new JfseTrainer(options).Train(training).Model;
        var rows = ScenarioEvaluation.Evaluate(model, data, Split.Test, Scenario.Standard, classes);
        foreach (var row in rows) log.WriteLine($"test mAP {row.Query} → {row.Gallery}: {row.Map:F3}");
        double testMap = ScenarioEvaluation.Average(rows, Split.Test, Subset.All);

        // Models are folders (written atomically); any method loads through ModelStore.
        var modelDir = Path.Combine(workDirectory, "model");
        model.Save(modelDir);
        using var loaded = ModelStore.Load(modelDir);

        // An index over every item of every medium the model embeds; saved atomically, memory-mapped when opened.
        var indexPath = Path.Combine(workDirectory, "items.cmidx");
        using (var built = IndexBuilder.FromDataset(loaded, ModelIdentity.Of(modelDir), data, Metric.Cosine))
            built.Save(indexPath);
        using var index = EmbeddingIndex.Open(indexPath);

        // Query: the first test image; answers: the 5 nearest texts.
        var images = data["image"].Select(Split.Test);
        var query = images.Select([0]);
        var hits = index.Search(loaded.Embed(query), k: 5, new SearchFilter(Media: new HashSet<string> { "text" }))[0];
        log.WriteLine($"texts nearest to a test image of class {data.ClassNames[query.Labels[0]]}:");
        foreach (var hit in hits) log.WriteLine($"  {hit.Item.Id,6} {data.ClassNames[hit.Item.Label],-10} {hit.Score:F3}");
        return new Outcome(testMap, query.Labels[0], hits);
    }
}
