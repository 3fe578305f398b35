using System.CommandLine;
using CrossMedia.Data;
using CrossMedia.Data.Builtin;

namespace CrossMedia.Cli.Commands;

/// <summary>`media tuxpaint` and `media synthetic`: build the raw-media datasets and print their counts.</summary>
internal static class MediaDatasetCommands
{
    public static Command TuxPaint()
    {
        var root = new Option<string>("--stamps") { Description = "TuxPaint stamps folder.", DefaultValueFactory = _ => TuxPaintOptions.DefaultStampsRoot };
        var depth = new Option<int>("--label-depth") { Description = "Class = folder at this depth: 1 = top category, 2 = category/sub-folder.", DefaultValueFactory = _ => 1 };
        var min = new Option<int>("--min-stamps") { Description = "Leave out classes with fewer stamps.", DefaultValueFactory = _ => 10 };
        var spoken = new Option<bool>("--spoken-descriptions") { Description = "Add the English spoken descriptions (*_desc.ogg) to the audio medium." };
        var videos = new Option<bool>("--videos") { Description = "Also generate the derived video medium (2-second pan and zoom per picture; slow the first time)." };
        var dataRoot = new Option<string?>("--data-root") { Description = "Cache folder for derived videos (default ~/.cache/crossmedia)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the stratified train/val/test split.", DefaultValueFactory = _ => 1 };
        var command = new Command("tuxpaint", "Build the TuxPaint stamps dataset (image, text, audio, video-derived) and print counts per medium, class and split.")
        {
            root, depth, min, spoken, videos, dataRoot, seed,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var options = new TuxPaintOptions
            {
                StampsRoot = parse.GetValue(root)!, LabelDepth = parse.GetValue(depth), MinStampsPerClass = parse.GetValue(min),
                IncludeSpokenDescriptions = parse.GetValue(spoken), DerivedVideo = parse.GetValue(videos),
                CacheRoot = parse.GetValue(dataRoot), Seed = parse.GetValue(seed),
            };
            var (dataset, problems) = TuxPaintDataset.BuildWithProblems(options, new Progress<string>(output.WriteLine));
            PrintCounts(dataset, output);
            foreach (var p in problems) output.WriteLine($"skipped {p}");
            return 0;
        });
        return command;
    }

    public static Command Synthetic()
    {
        var dataRoot = new Option<string?>("--data-root") { Description = "Cache folder the files are written to (default ~/.cache/crossmedia)." };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice.", DefaultValueFactory = _ => 1 };
        var classes = new Option<int>("--classes") { Description = "Number of classes.", DefaultValueFactory = _ => 5 };
        var train = new Option<int>("--train-per-class") { Description = "Training items per class and medium.", DefaultValueFactory = _ => 8 };
        var command = new Command("synthetic", "Write the synthetic raw-media benchmark (PNG, WAV, TXT, MP4 per class) and print counts.")
        {
            dataRoot, seed, classes, train,
        };
        command.SetAction(parse =>
        {
            var options = new SyntheticMediaOptions { Seed = parse.GetValue(seed), Classes = parse.GetValue(classes), TrainPerClass = parse.GetValue(train) };
            var rootDir = parse.GetValue(dataRoot) ?? SyntheticMediaDataset.DefaultRoot();
            var dataset = SyntheticMediaDataset.Build(rootDir, options);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(SyntheticMediaDataset.FolderOf(rootDir, options));
            PrintCounts(dataset, output);
            return 0;
        });
        return command;
    }

    /// <summary>A plain table: one row per class, per medium "train/val/test" counts; totals last.</summary>
    private static void PrintCounts(Dataset dataset, TextWriter output)
    {
        var media = dataset.Media;
        int width = Math.Max(8, dataset.ClassNames.Max(c => c.Length));
        output.WriteLine($"{"class".PadRight(width)}  " + string.Join("  ", media.Select(m => $"{m.Name + " (tr/va/te)",22}")));
        string Cell(Medium m, int? label)
        {
            int Count(Split s) => Enumerable.Range(0, m.Count).Count(i => m.Splits[i] == s && (label is null || m.Labels[i] == label));
            return $"{Count(Split.Train)}/{Count(Split.Val)}/{Count(Split.Test)}";
        }
        for (int k = 0; k < dataset.ClassCount; k++)
            output.WriteLine($"{dataset.ClassNames[k].PadRight(width)}  " + string.Join("  ", media.Select(m => $"{Cell(m, k),22}")));
        output.WriteLine($"{"total".PadRight(width)}  " + string.Join("  ", media.Select(m => $"{Cell(m, null),22}")));
    }
}
