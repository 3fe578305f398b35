using System.Diagnostics;
using System.Globalization;
using CrossMedia.Models.Backbones;
using CrossMedia.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Bench;

/// <summary>
/// One ResNet training step — forward, cross-entropy, backward, SGD (momentum 0.9) — on a fixed
/// random batch, one dispose scope per step; the same work as bench/resnet-step/resnet_step.py.
/// Prints the median step time after warm-up and the peak resident set size.
/// </summary>
public static class ResNetStepBenchmark
{
    public static int Run(BenchArgs args)
    {
        var depth = args.Int("depth", 50);
        var batch = args.Int("batch", 16);
        var size = args.Int("size", 224);
        var threads = args.Int("threads", 2);
        var warmup = args.Int("warmup", 2);
        var steps = args.Int("steps", 6);
        var phases = args.Int("phases", 0) != 0; // print RSS after forward / backward / step (first step)

        TorchRuntime.Initialize(threads);
        torch.manual_seed(0);
        using var model = BackboneRegistry.Create($"resnet{depth}", 1000, new BackboneOptions(size));
        model.train();
        var optimizer = torch.optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        using var x = torch.randn(batch, 3, size, size);
        using var y = torch.randint(0, 1000, [batch], ScalarType.Int64);

        var times = new List<double>();
        var cpu = new List<double>();
        var process = Process.GetCurrentProcess();
        for (var i = 0; i < warmup + steps; i++)
        {
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(x), y);
                if (phases && i == 0) Console.WriteLine($"phase=forward {Rss()}");
                loss.backward();
                if (phases && i == 0) Console.WriteLine($"phase=backward {Rss()}");
                optimizer.step();
            }
            if (phases && i == 0) Console.WriteLine($"phase=step {Rss()}");
            if (i < warmup) continue;
            times.Add(sw.Elapsed.TotalMilliseconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpuStart).TotalMilliseconds);
        }
        var median = Median(times);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"impl=torchsharp model=resnet{depth} batch={batch} size={size} threads={torch.get_num_threads()}");
        Console.WriteLine($"ms_per_step_median={median.ToString("F0", inv)} steps=[{string.Join(", ", times.Select(t => t.ToString("F0", inv)))}]");
        Console.WriteLine($"cpu_ms_per_step_median={Median(cpu).ToString("F0", inv)} (user+sys of all threads; inflated by spinning under contention)");
        Console.WriteLine($"peak_rss_mib={(PeakRssKib() / 1024.0).ToString("F0", inv)}");
        Console.WriteLine($"allocator: {NativeTuning.AllocatorSettings}");
        return 0;
    }

    private static double Median(List<double> values)
    {
        var v = values.Order().ToList();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    /// <summary>Current and peak resident set, MiB.</summary>
    private static string Rss()
    {
        long Kib(string key) => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(key, StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return $"rss_mib={Kib("VmRSS:") / 1024} peak_mib={Kib("VmHWM:") / 1024}";
    }

    /// <summary>VmHWM from /proc/self/status (peak resident set), in KiB.</summary>
    private static long PeakRssKib()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
