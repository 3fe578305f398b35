using System.Globalization;
using CrossMedia.Models.Backbones;
using CrossMedia.Models.Weights;
using CrossMedia.Torch;
using static TorchSharp.torch;

namespace CrossMedia.Bench;

/// <summary>
/// Imports a PyTorch ResNet state_dict written by bench/resnet-step/crosscheck.py (safetensors,
/// "module."-prefixed torchvision names) and compares our eval-mode features and logits with PyTorch's.
/// Usage: <c>resnet-crosscheck --dir OUT_DIR [--depth 50]</c>.
/// </summary>
public static class ResNetCrossCheck
{
    public static int Run(BenchArgs args)
    {
        var dir = args.String("dir", "/tmp/resnet-crosscheck");
        var depth = args.Int("depth", 50);
        TorchRuntime.Initialize(args.Int("threads", 2));
        using var model = BackboneRegistry.Create($"resnet{depth}", 1000,
            new BackboneOptions(64, Path.Combine(dir, $"resnet{depth}.safetensors")), out var report);
        Console.WriteLine($"import: {report!.Summary}");
        model.eval();
        using var reference = SafeTensors.Read(Path.Combine(dir, "reference.safetensors"));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = reference.Tensors["input"];
        var features = model.ForwardFeatures(x);
        var logits = model.ForwardHead(features);
        var inv = CultureInfo.InvariantCulture;
        double MaxDiff(Tensor a, Tensor b) => a.sub(b).abs().max().item<float>();
        Console.WriteLine($"max |features - pytorch| = {MaxDiff(features, reference.Tensors["features"]).ToString("G3", inv)}");
        Console.WriteLine($"max |logits - pytorch|   = {MaxDiff(logits, reference.Tensors["logits"]).ToString("G3", inv)} (logit scale {reference.Tensors["logits"].abs().max().item<float>().ToString("G3", inv)})");
        Console.WriteLine($"max |f16 input - f32|    = {MaxDiff(reference.Tensors["input_f16"], x).ToString("G3", inv)}");
        Console.WriteLine($"max |bf16 input - f32|   = {MaxDiff(reference.Tensors["input_bf16"], x).ToString("G3", inv)}");
        return report.Missing.Count == 0 && report.Skipped.Count == 0 ? 0 : 1;
    }
}
