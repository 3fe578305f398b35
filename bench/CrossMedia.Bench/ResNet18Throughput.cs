using System.Diagnostics;
using CrossMedia.Models.Backbones;
using CrossMedia.Torch;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Bench;

/// <summary>
/// ImageNet ResNet-18 feature extraction (pooled 512-d, 224²), images/s on a fixed thread count:
/// our TorchSharp ResNet with the weights imported from NuGet's ResNet18.onnx — the trainable model in
/// eval mode and its frozen inference copy (<see cref="ResNet.ForInference"/>) — against ONNX Runtime
/// running that same file (with ResNetPreprocess.onnx, batch 1: the file's batch size is fixed).
/// Each round runs every engine back to back, so machine load hits them alike; the median round is
/// reported, with the process CPU time per image (less sensitive to other jobs on a shared machine).
/// </summary>
static class ResNet18Throughput
{
    public static int Run(BenchArgs a)
    {
        int threads = a.Int("threads", 2), n = a.Int("n", 32), rounds = a.Int("rounds", 3), batch = a.Int("batch", 16);
        TorchRuntime.Initialize(threads);
        using var net = (ResNet)BackboneRegistry.Create("resnet18", 1000, new BackboneOptions(224, BackboneOptions.ImageNet));
        net.eval();
        using var frozen = net.ForInference();
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        var model = OnnxResNetImport.DefaultModelPath;
        using var preprocess = new InferenceSession(OnnxResNetImport.PreprocessPath(model), options);
        using var resnet = new InferenceSession(model, options);

        var rng = new Random(1);
        var pixels = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 3 * 224 * 224).Select(_ => (float)rng.Next(256)).ToArray()).ToArray();
        var scale = (1 / 255f).ToScalar();
        using var unit = tensor(pixels.SelectMany(p => p).ToArray(), [n, 3, 224, 224]).mul(scale); // our pipeline's 0-1 input
        using var mean = tensor(net.Normalization.Mean).view(1, 3, 1, 1);
        using var std = tensor(net.Normalization.Std).view(1, 3, 1, 1);
        using var all = unit.sub(mean).div(std);

        Func<double> Ours(Backbone backbone, int size) => () =>
        {
            using var _ = no_grad();
            for (int i = 0; i < n; i += size)
            {
                using var scope = NewDisposeScope();
                backbone.ForwardFeatures(all.narrow(0, i, Math.Min(size, n - i))).data<float>().ToArray();
            }
            return n;
        };
        double Onnx()
        {
            foreach (var p in pixels)
                RunOnnx(resnet, RunOnnx(preprocess, p));
            return n;
        }
        var engines = new (string Name, Func<double> Run)[]
        {
            ("onnxruntime (batch 1)", Onnx),
            ("crossmedia eval (batch 1)", Ours(net, 1)),
            ($"crossmedia eval (batch {batch})", Ours(net, batch)),
            ("crossmedia frozen (batch 1)", Ours(frozen, 1)),
            ($"crossmedia frozen (batch {batch})", Ours(frozen, batch)),
        };
        foreach (var (_, run) in engines) run(); // warm-up
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        var measured = engines.Select(_ => new List<(double Rate, double CpuMs)>()).ToArray();
        var process = Process.GetCurrentProcess();
        for (int r = 0; r < rounds; r++)
            for (int e = 0; e < engines.Length; e++)
            {
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var images = engines[e].Run();
                var wall = clock.Elapsed.TotalSeconds;
                process.Refresh();
                measured[e].Add((images / wall, (process.TotalProcessorTime - cpu).TotalMilliseconds / images));
            }
        var loadEnd = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        static double Median(IEnumerable<double> v) { var s = v.Order().ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }
        var onnxRate = Median(measured[0].Select(m => m.Rate));
        var onnxCpu = Median(measured[0].Select(m => m.CpuMs));
        Console.WriteLine($"resnet18 threads={threads} images={n} rounds={rounds} load={load}..{loadEnd} ({NativeBackends.Describe()}, frozen {(frozen.UsesOneDnn ? "oneDNN fused" : "plain tensors")})");
        for (int e = 0; e < engines.Length; e++)
        {
            var rate = Median(measured[e].Select(m => m.Rate));
            var cpuMs = Median(measured[e].Select(m => m.CpuMs));
            Console.WriteLine($"  {engines[e].Name,-30} {rate,7:F1} images/s {rate / onnxRate,5:F2}x   cpu {cpuMs,6:F1} ms/image {onnxCpu / cpuMs,5:F2}x   rounds: {string.Join(" ", measured[e].Select(m => m.Rate.ToString("F1")))}");
        }
        return 0;
    }

    private static float[] RunOnnx(InferenceSession session, float[] input)
    {
        var name = session.InputMetadata.Keys.Single();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(input, [1, 3, 224, 224]))]);
        return results.First().AsEnumerable<float>().ToArray();
    }
}
