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
/// our TorchSharp ResNet with the weights imported from NuGet's ResNet18.onnx against ONNX Runtime
/// running that same file (with ResNetPreprocess.onnx, batch 1: the file's batch size is fixed).
/// Rounds alternate the engines so machine load hits both alike; the best round of each is reported.
/// </summary>
static class ResNet18Throughput
{
    public static int Run(BenchArgs a)
    {
        int threads = a.Int("threads", 2), n = a.Int("n", 32), rounds = a.Int("rounds", 3), batch = a.Int("batch", 16);
        TorchRuntime.Initialize(threads);
        using var net = BackboneRegistry.Create("resnet18", 1000, new BackboneOptions(224, BackboneOptions.ImageNet));
        net.eval();
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

        double Ours(int size)
        {
            var clock = Stopwatch.StartNew();
            using var _ = no_grad();
            for (int i = 0; i < n; i += size)
            {
                using var scope = NewDisposeScope();
                net.ForwardFeatures(all.narrow(0, i, Math.Min(size, n - i))).data<float>().ToArray();
            }
            return n / clock.Elapsed.TotalSeconds;
        }
        double Onnx()
        {
            var clock = Stopwatch.StartNew();
            foreach (var p in pixels)
                RunOnnx(resnet, RunOnnx(preprocess, p));
            return n / clock.Elapsed.TotalSeconds;
        }

        Ours(1); Onnx(); // warm-up
        double ours1 = 0, oursBatch = 0, onnx = 0;
        for (int r = 0; r < rounds; r++)
        {
            onnx = Math.Max(onnx, Onnx());
            ours1 = Math.Max(ours1, Ours(1));
            oursBatch = Math.Max(oursBatch, Ours(batch));
        }
        Console.WriteLine($"resnet18 threads={threads} images={n} rounds={rounds}");
        Console.WriteLine($"  onnxruntime (batch 1)      {onnx,7:F1} images/s");
        Console.WriteLine($"  crossmedia (batch 1)       {ours1,7:F1} images/s  {ours1 / onnx:F2}x onnxruntime");
        Console.WriteLine($"  crossmedia (batch {batch,2})      {oursBatch,7:F1} images/s  {oursBatch / onnx:F2}x onnxruntime");
        return 0;
    }

    private static float[] RunOnnx(InferenceSession session, float[] input)
    {
        var name = session.InputMetadata.Keys.Single();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(input, [1, 3, 224, 224]))]);
        return results.First().AsEnumerable<float>().ToArray();
    }
}
