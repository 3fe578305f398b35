using System.CommandLine;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Data.Formats;
using CrossMedia.Models;
using CrossMedia.Torch;

namespace CrossMedia.Cli.Commands;

/// <summary>
/// `crossmedia embed`: the common-space embeddings of one medium and split of a dataset, written as
/// OUT.npy (items × dimensions, float32) with labels in OUT.labels.npy (int64), ready for `map`.
/// </summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder written by 'crossmedia train'.", Required = true };
        var data = new DatasetOptions();
        var split = new Option<string>("--split") { Description = "train, val or test.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("train", "val", "test");
        var medium = new Option<string>("--medium") { Description = "Medium to embed, e.g. image or text.", Required = true };
        var output = new Option<string>("--out") { Description = "Output .npy file for the embeddings; labels go beside it as <name>.labels.npy.", Required = true };
        var seed = SharedOptions.ModelSeed();
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = all cores).", DefaultValueFactory = _ => 0 };

        var command = new Command("embed", "Write a trained model's embeddings of one medium and split of a dataset to .npy (with labels).");
        command.Options.Add(model);
        data.AddTo(command);
        foreach (var o in new Option[] { split, medium, output, seed, threads }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize(parse.GetValue(threads));
            var dataset = data.Resolve(parse, SharedOptions.SeedFor(parse, seed, parse.GetValue(model)));
            var name = parse.GetValue(medium)!;
            using var trained = ModelStore.Load(parse.GetValue(model)!);
            if (trained.Media.All(m => m.Name != name))
                throw new InputException("--medium", "", $"a medium the model knows ({string.Join(", ", trained.Media)})", $"'{name}'");
            var items = dataset[name].Select(SplitNames.Parse(parse.GetValue(split)!));
            if (items.Count == 0)
                throw new InputException("--split", "", $"a split with {name} items", $"no {name} items in '{parse.GetValue(split)}'");
            var progress = new ConsoleProgress(CliConsole.For(parse.InvocationConfiguration.Output));
            var embedding = new SynchronousProgress<int>(done => progress.Report(new WorkProgress($"embed {name}", done, items.Count)));
            var embeddings = progress.Run(() =>
            {
                embedding.Report(0);
                return trained.Embed(EmbeddingInput.Of(items), embedding);
            });
            var outPath = Path.GetFullPath(parse.GetValue(output)!);
            var labelsPath = Path.ChangeExtension(outPath, null) + ".labels.npy";
            NpyFile.Write(outPath, embeddings);
            NpyFile.Write(labelsPath, items.Labels.Select(l => (long)l).ToArray());
            parse.InvocationConfiguration.Output.WriteLine(
                $"{embeddings.Rows} × {embeddings.Cols} embeddings of {name} ({parse.GetValue(split)}) → {outPath}; labels → {labelsPath}");
            return 0;
        });
        return command;
    }
}
