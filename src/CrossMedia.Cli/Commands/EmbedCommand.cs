using System.CommandLine;
using CrossMedia.Data;
using CrossMedia.Data.Formats;
using CrossMedia.Models;
using CrossMedia.Torch;

namespace CrossMedia.Cli.Commands;

/// <summary>
/// `crossmedia embed`: embeddings of one medium and split of a dataset with any trained model
/// (loaded through <see cref="ModelStore"/>), written as .npy with the labels beside them.
/// </summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder written by 'crossmedia train' (holds model.json).", Required = true };
        var data = new DatasetOptions();
        var split = new Option<string>("--split") { Description = "Which items: train, val or test.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("train", "val", "test");
        var medium = new Option<string>("--medium") { Description = "Medium to embed, e.g. image or text (one the model knows).", Required = true };
        var output = new Option<string>("--out") { Description = "Output .npy file (float32, items × dimensions); labels go to OUT with .labels.npy.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the validation carve (use the training run's seed so train/val match it).", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "CPU threads for libtorch (0 = all cores).", DefaultValueFactory = _ => 0 };

        var command = new Command("embed", "Embed one medium of a dataset split with a trained model; writes OUT.npy and OUT.labels.npy.");
        command.Options.Add(model);
        data.AddTo(command);
        foreach (var o in new Option[] { split, medium, output, seed, threads }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize(parse.GetValue(threads));
            using var m = ModelStore.Load(parse.GetValue(model)!);
            var dataset = data.Resolve(parse, parse.GetValue(seed));
            var name = parse.GetValue(medium)!;
            if (!m.Media.Any(s => s.Name == name))
                throw new InputException(parse.GetValue(model)!, "medium", $"one of {string.Join(", ", m.Media.Select(s => s.Name))}", $"'{name}'");
            var items = dataset[name].Select(SplitNames.Parse(parse.GetValue(split)!));
            var embeddings = m.Embed(items);
            var path = Path.GetFullPath(parse.GetValue(output)!);
            var labelsPath = (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? path[..^4] : path) + ".labels.npy";
            NpyFile.Write(path, embeddings);
            NpyFile.Write(labelsPath, items.Labels);
            parse.InvocationConfiguration.Output.WriteLine($"{embeddings.Rows} × {embeddings.Cols} embeddings of {name} ({parse.GetValue(split)}) → {path}, labels → {labelsPath}");
            return 0;
        });
        return command;
    }
}
