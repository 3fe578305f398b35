using System.CommandLine;
using System.Diagnostics;
using CrossMedia.Data;
using CrossMedia.Media;

namespace CrossMedia.Cli.Commands;

/// <summary>`media decode --dataset DATASET`: decode a dataset's file media as training would, report speed and skipped files.</summary>
internal static class MediaDecodeCommand
{
    public static Command Create()
    {
        // Only the dataset options that choose files: validation hold-out and class embeddings do not change what is decoded.
        var data = new DatasetOptions(description: "Dataset to decode");
        var seed = SharedOptions.Seed("Seed of the dataset (synthetic-media generates other files with another seed).");
        var input = new Option<int>("--input-size") { Description = "Centre-crop size fed to the network.", DefaultValueFactory = _ => 448 };
        var resize = new Option<int>("--resize") { Description = "Resize size before the crop.", DefaultValueFactory = _ => 512 };
        var square = new Option<bool>("--square") { Description = "Resize to a square (the FGCrossNet reference) instead of the shorter side." };
        var frames = new Option<int>("--frames") { Description = "Frames sampled per video.", DefaultValueFactory = _ => 25 };
        var workers = new Option<int>("--workers") { Description = "Files decoded at the same time.", DefaultValueFactory = _ => Math.Min(4, Environment.ProcessorCount) };
        var limit = new Option<int>("--limit") { Description = "Decode at most this many items per medium (0 = all).", DefaultValueFactory = _ => 0 };
        var cache = new Option<string?>("--cache") { Description = "Folder for the on-disk cache of decoded tensors." };
        var command = new Command("decode", "Decode a dataset's media files as training does (pictures, spectrograms, video frames, texts); print items per second and every file skipped.")
        {
            data.Dataset, data.DataRoot, data.Media, seed, input, resize, square, frames, workers, limit, cache,
        };
        command.SetAction(async (parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var dataset = DatasetCatalog.Load(parse.GetValue(data.Dataset)!, data.LoadOptions(parse, parse.GetValue(seed)) with { ValFraction = 0 });
            var decoder = new MediaDecoder(new MediaDecoderOptions
            {
                Preprocessing = new MediaPreprocessing
                {
                    InputSize = parse.GetValue(input), ResizeSize = parse.GetValue(resize),
                    Resize = parse.GetValue(square) ? ResizeMode.Square : ResizeMode.ShorterSide,
                },
                FramesPerVideo = parse.GetValue(frames), Workers = parse.GetValue(workers), CacheDirectory = parse.GetValue(cache),
            });
            var media = dataset.Media.Where(m => m.Files is not null).ToArray();
            if (media.Length == 0) throw new InputException(parse.GetValue(data.Dataset)!, "media", "a medium of files (--media chooses among the dataset's)", "only feature media");
            int n = parse.GetValue(limit);
            foreach (var m in media)
            {
                var rows = Enumerable.Range(0, n > 0 ? Math.Min(n, m.Count) : m.Count).ToArray();
                int before = decoder.Problems.Count, count = 0;
                var watch = Stopwatch.StartNew();
                await foreach (var _ in decoder.DecodeAsync(m.ToMediaFiles(), rows, token)) count++;
                watch.Stop();
                output.WriteLine($"{m.Name}: {count}/{rows.Length} decoded in {watch.Elapsed.TotalSeconds:0.0} s ({count / Math.Max(1e-9, watch.Elapsed.TotalSeconds):0.0} items/s), {decoder.Problems.Count - before} skipped");
            }
            foreach (var p in decoder.Problems) output.WriteLine($"skipped {p}");
            return 0;
        });
        return command;
    }
}
