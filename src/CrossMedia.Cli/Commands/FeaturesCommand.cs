using System.CommandLine;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Encoders;
using CrossMedia.Torch;
using Spectre.Console;

namespace CrossMedia.Cli.Commands;

/// <summary>
/// `crossmedia features`: a dataset of media files encoded with pretrained encoders (ResNet-18,
/// MiniLM) into .npy features per medium and split, with a manifest that `train` reads directly
/// (<see cref="FeatureExtraction"/>).
/// </summary>
internal static class FeaturesCommand
{
    public static Command Create()
    {
        var data = new DatasetOptions();
        // The dataset's own splits are kept; `train` on the features carves validation itself.
        data.ValFraction.DefaultValueFactory = _ => 0;
        var output = new Option<string>("--out") { Description = "Output folder: MEDIUM_SPLIT.npy, MEDIUM_SPLIT_labels.npy, manifest.json (for --dataset DIR/manifest.json), features.json.", Required = true };
        var encoders = new Option<string?>("--encoders")
        {
            Description = "Encoder per medium as medium=encoder,... (resnet18 for image, audio via its spectrogram picture, video as the mean of sampled frames; minilm for text). Default: image=resnet18,text=minilm,audio=resnet18,video=resnet18 for the media the dataset has.",
        };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N (ResNet-18; MiniLM runs on the CPU).", DefaultValueFactory = _ => "cpu" };
        var batchSize = new Option<int>("--batch-size") { Description = "Pictures per ResNet-18 pass and sentences per MiniLM call (0 = each encoder's default: 16 and 8).", DefaultValueFactory = _ => 0 };
        var frames = new Option<int>("--frames") { Description = "Frames sampled uniformly per video; the video's feature is their mean.", DefaultValueFactory = _ => new EncoderOptions().FramesPerVideo };
        var threads = new Option<int>("--threads") { Description = "CPU threads for libtorch and ONNX Runtime (0 = all cores).", DefaultValueFactory = _ => 0 };
        var workers = new Option<int>("--workers") { Description = "Files decoded at the same time while the network runs.", DefaultValueFactory = _ => new EncoderOptions().Workers };
        var seed = new Option<int>("--seed") { Description = "Seed of built-in datasets' splits (and of --val-fraction when given).", DefaultValueFactory = _ => 1 };

        var command = new Command("features", "Encode a dataset's media files with pretrained encoders into .npy features per medium and split, plus a manifest that train reads.");
        data.AddTo(command);
        foreach (var o in new Option[] { output, encoders, device, batchSize, frames, threads, workers, seed }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize(parse.GetValue(threads));
            var loaded = data.ResolveDetailed(parse, parse.GetValue(seed));
            loaded.Problems.ThrowIfErrors();
            var dataset = loaded.Dataset;
            var given = FeatureExtraction.ParseEncoders(parse.GetValue(encoders));
            FeatureExtraction.Plan(dataset, given); // refuses bad media or encoders before any model loads
            var options = new EncoderOptions
            {
                Device = parse.GetValue(device)!,
                BatchSize = parse.GetValue(batchSize),
                Threads = parse.GetValue(threads),
                Workers = parse.GetValue(workers),
                FramesPerVideo = parse.GetValue(frames),
            };
            options.Validate();
            var console = CliConsole.For(parse.InvocationConfiguration.Output);
            var result = Run(console, report =>
                FeatureExtraction.Run(dataset, parse.GetValue(output)!, given, options, report));
            var table = new Table().AddColumns("medium", "encoder", "split", "items", "dimension");
            foreach (var p in result.Parts)
                table.AddRow(Markup.Escape(p.Medium), p.Encoder, p.Split.ToString().ToLowerInvariant(), p.Rows.ToString(), p.Dimension.ToString());
            console.Write(table);
            console.WriteLine($"{result.Parts.Sum(p => p.Rows)} items in {result.Elapsed.TotalSeconds:F1} s → {result.ManifestPath}");
            return 0;
        });
        return command;
    }

    /// <summary>Runs <paramref name="extract"/> with a phase per medium ("encode image (resnet18)"): live bars on a terminal, plain lines otherwise.</summary>
    private static FeatureExtractionResult Run(IAnsiConsole console, Func<IProgress<FeatureProgress>, FeatureExtractionResult> extract)
    {
        var progress = new ConsoleProgress(console);
        return progress.Run(() => extract(new SynchronousProgress<FeatureProgress>(p =>
            progress.Report(new WorkProgress($"encode {p.Medium} ({p.Encoder})", p.Done, p.Total)))));
    }
}
