using System.Globalization;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Models;
using CrossMedia.Torch;
using CrossMedia.Training;

namespace CrossMedia.Bench;

/// <summary>
/// Zero-shot settings chosen without the test set: the seen classes of a zsl split are split again into
/// pseudo-seen and pseudo-unseen classes (folds), a method is trained on pseudo-seen train items only,
/// and its unseen-class mAP is measured on the pseudo-unseen train+val items (never a test item, never a
/// real unseen class). Averaged over folds, this is the score to compare JFSE settings and CCA by.
/// </summary>
public static class PseudoZeroShot
{
    public static int Run(BenchArgs a)
    {
        int threads = a.Int("threads", 1);
        TorchRuntime.Initialize(threads);
        int seed = a.Int("seed", 1);
        var data = DatasetCatalog.Load(a.String("dataset", "wikipedia"), new DatasetLoadOptions { DataRoot = a.String("data-root", "../shared/data"), Seed = seed });
        var classes = ClassSplit.EvenIndexUnseen(data.ClassCount);
        var seen = classes.Seen.OrderBy(c => c).ToArray();
        int holdOut = a.Int("hold-out", 2);
        string method = a.String("method", "jfse");
        var folds = Enumerable.Range(0, seen.Length).Select(f => Enumerable.Range(0, holdOut).Select(k => seen[(f + k) % seen.Length]).ToHashSet()).ToArray();
        int foldCount = Math.Min(a.Int("folds", folds.Length), folds.Length);
        var options = new JfseTrainingOptions(Epochs: a.Int("epochs", 40), Hidden: a.Int("hidden", 512),
            LearningRate: double.Parse(a.String("lr", "5e-4"), CultureInfo.InvariantCulture), EvalEvery: 2, Patience: a.Int("patience", 6),
            Seed: seed, Weights: JfseLossWeights.Parse(a.String("weights", "")),
            UnseenSamplesPerBatch: a.Int("unseen-per-batch", 0), ZScore: a.String("zscore", "true") == "true");

        var ro = new RetrievalOptions(Threads: threads);
        // Real unseen classes and test items never enter: what a zsl run may train and select on.
        var seenOnly = ScenarioData.TrainingSet(data, Scenario.Zsl, classes);
        var scores = new List<double>();
        foreach (var pseudoUnseen in folds.Take(foldCount))
        {
            // Pseudo-unseen items become the evaluation ("test") set of the fold.
            var foldData = seenOnly.With(seenOnly.Media.Select(m =>
                m.WithSplits(m.Labels.Select((l, i) => pseudoUnseen.Contains(l) ? Split.Test : m.Splits[i]).ToArray())).ToArray());
            var training = ScenarioData.TrainingSet(foldData, Scenario.Standard, ClassSplit.AllSeen(data.ClassCount));
            IEmbeddingModel model = method switch
            {
                "cca" => CcaTrainer.Fit(training, null, ro).Model,
                _ => new JfseTrainer(options).Train(training, pseudoUnseen).Model,
            };
            var test = foldData.Select(Split.Test);
            var v = test.Media[0];
            var t = test.Media[1];
            var ev = model.Embed(v);
            var et = model.Embed(t);
            double i2t = Retrieval.MeanAveragePrecision(ev, v.Labels, et, t.Labels, ro).Map;
            double t2i = Retrieval.MeanAveragePrecision(et, t.Labels, ev, v.Labels, ro).Map;
            scores.Add((i2t + t2i) / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fold={string.Join('+', pseudoUnseen.Select(c => data.ClassNames[c]))} i2t={i2t:F4} t2i={t2i:F4} avg={(i2t + t2i) / 2:F4}"));
            (model as IDisposable)?.Dispose();
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pseudo_unseen_map={scores.Average():F4} folds={scores.Count}"));
        return 0;
    }
}
