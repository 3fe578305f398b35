using CrossMedia.Data;

namespace CrossMedia.Evaluation;

/// <summary>What a method may train and select on in a scenario.</summary>
public static class ScenarioData
{
    /// <summary>
    /// The training and validation items a method may use: everything in the standard scenario;
    /// in zero-shot scenarios only seen-class items, so that no real unseen-class item ever reaches
    /// training or model selection. Test items are dropped in every scenario.
    /// </summary>
    public static Dataset TrainingSet(Dataset dataset, Scenario scenario, ClassSplit classes)
    {
        var media = dataset.Media.Select(m => m.Select(Enumerable.Range(0, m.Count)
            .Where(i => m.Splits[i] != Split.Test && (scenario == Scenario.Standard || classes.Seen.Contains(m.Labels[i])))
            .ToArray())).ToArray();
        return dataset.With(media);
    }
}
