using System.Diagnostics;
using CrossMedia.Data;
using CrossMedia.Encoders;
using CrossMedia.Media;

namespace CrossMedia.Bench;

/// <summary>
/// End-to-end throughput of each catalog encoder (items/s from files: decoding, preprocessing and
/// the network, as <c>crossmedia features</c> runs them) on a fixed thread count. Image, text and
/// audio items come from <c>--dataset</c> (TuxPaint stamps by default), videos from
/// <c>--video-dataset</c> (synthetic-media MP4s). One warm-up call per encoder, then the best of
/// <c>--rounds</c> timed runs over the first <c>--n</c> files of each medium.
/// </summary>
static class EncoderThroughput
{
    public static int Run(BenchArgs a)
    {
        int threads = a.Int("threads", 2), n = a.Int("n", 48), rounds = a.Int("rounds", 2), frames = a.Int("frames", 8);
        var load = new DatasetLoadOptions { Seed = 1, ValFraction = 0, DataRoot = a.String("data-root", Path.Combine(Path.GetTempPath(), "cm-bench-encoders")) };
        var media = DatasetCatalog.Load(a.String("dataset", "tuxpaint:video=false"), load);
        var videos = DatasetCatalog.Load(a.String("video-dataset", "synthetic-media:media=video,video_size=128"), load);
        var options = new EncoderOptions { Threads = threads, Workers = threads, FramesPerVideo = frames };
        Console.WriteLine($"encoders threads={threads} items={n} rounds={rounds} frames/video={frames}");
        foreach (var medium in media.Media.Concat(videos.Media))
        {
            var kind = MediaKinds.FromMediumName(medium.Name);
            if (kind is null || medium.Files is null) continue;
            var files = MediaSource.Files(medium.Files.Take(n));
            using var encoder = EncoderCatalog.Create(kind.Value, EncoderCatalog.DefaultFor(kind.Value), options);
            encoder.Encode(files.Take(2).ToArray()); // warm-up: first passes allocate and pick kernels
            double best = 0;
            for (int r = 0; r < rounds; r++)
            {
                var clock = Stopwatch.StartNew();
                encoder.Encode(files);
                best = Math.Max(best, files.Count / clock.Elapsed.TotalSeconds);
            }
            var decode = kind == MediaKind.Text ? "" : $"; decoding alone {DecodeOnly(kind.Value, files, options, rounds),6:F1} items/s";
            Console.WriteLine($"  {medium.Name,-6} {encoder.Name,-9} {best,7:F1} items/s  ({files.Count} {Path.GetExtension(medium.Files[0])} files{decode})");
        }
        return 0;
    }

    /// <summary>Items/s of the decoding and preprocessing alone (as many files at once as the encoder decodes), to see which half limits.</summary>
    private static double DecodeOnly(MediaKind kind, IReadOnlyList<MediaSource> files, EncoderOptions options, int rounds)
    {
        using var encoder = new ResNet18Encoder(kind, options);
        double best = 0;
        for (int r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = options.Workers }, f =>
            {
                foreach (var p in f.Pictures(kind, ResNet18Encoder.InputSize, options.Spectrogram, options.FramesPerVideo, options.Limits))
                    ImageTransform.Preprocess(p, encoder.Preprocessing);
            });
            best = Math.Max(best, files.Count / clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
