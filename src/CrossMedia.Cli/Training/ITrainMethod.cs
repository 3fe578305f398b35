using System.CommandLine;
using CrossMedia.Models;

namespace CrossMedia.Cli.Training;

/// <summary>
/// One method `crossmedia train --method NAME` can train. The train command owns everything common
/// (data, scenario, evaluation, metrics.json); a method owns its options and its fitting.
/// </summary>
internal interface ITrainMethod
{
    /// <summary>Name given to --method.</summary>
    string Name { get; }

    /// <summary>Method-specific options, added to the train command (their descriptions start with the method name).</summary>
    IReadOnlyList<Option> Options { get; }

    /// <summary>Fits a model on <see cref="TrainContext.TrainingSet"/> (train and validation items only).</summary>
    IEmbeddingModel Train(TrainContext context);
}
