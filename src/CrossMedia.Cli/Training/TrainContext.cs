using System.CommandLine;
using System.Text.Json.Nodes;
using CrossMedia.Data;
using CrossMedia.Evaluation;
using CrossMedia.Training;
using Spectre.Console;

namespace CrossMedia.Cli.Training;

/// <summary>What a method gets from the train command.</summary>
/// <param name="Parse">The parsed command line, to read the method's own options.</param>
/// <param name="Data">The whole dataset (methods must not touch its test items).</param>
/// <param name="TrainingSet">Train and validation items allowed in this scenario.</param>
/// <param name="Config">Configuration recorded in metrics.json; a method adds its resolved settings.</param>
/// <param name="Notes">Facts recorded in metrics.json (selected epoch, candidates tried, ...).</param>
internal sealed record TrainContext(
    ParseResult Parse,
    Dataset Data,
    Dataset TrainingSet,
    Scenario Scenario,
    ClassSplit Classes,
    RetrievalOptions Retrieval,
    int Seed,
    int Threads,
    string Device,
    string OutputDirectory,
    IAnsiConsole Console,
    JsonObject Config,
    JsonObject Notes);
