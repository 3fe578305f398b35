// Times one JFSE training step — CriticSteps critic updates plus one generator, regressor and
// modality-classifier update on one mini-batch — exactly as JfseTrainer runs it (JfseStep), and
// reports ms/step and peak RSS. Companion of jfse_step.py (the same step in PyTorch).
// Usage: dotnet run -c Release -- [--threads 2] [--steps 20] [--warmup 3] [--image 4096] [--text 300]
//        [--class 300] [--hidden 4096] [--noise 300] [--batch 64] [--critic 5]
using System.Diagnostics;
using System.Globalization;
using CrossMedia.Models.Jfse;
using CrossMedia.Torch;
using CrossMedia.Training;
using TorchSharp;
using static TorchSharp.torch;

var arg = new Dictionary<string, int>
{
    ["threads"] = 2, ["steps"] = 20, ["warmup"] = 3, ["image"] = 4096, ["text"] = 300, ["class"] = 300,
    ["hidden"] = 4096, ["noise"] = 300, ["batch"] = 64, ["critic"] = 5, ["items"] = 1024, ["classes"] = 20,
};
for (int i = 0; i + 1 < args.Length; i += 2) arg[args[i].TrimStart('-')] = int.Parse(args[i + 1], CultureInfo.InvariantCulture);

TorchRuntime.Initialize(arg["threads"]);
torch.random.manual_seed(1);
var arch = new JfseArchitecture([arg["image"], arg["text"]], arg["class"], arg["hidden"], arg["noise"]);
var options = new JfseTrainingOptions(BatchSize: arg["batch"], CriticSteps: arg["critic"], Hidden: arg["hidden"], NoiseDimension: arg["noise"]);
using var nets = new JfseNetworks(arch);
using var step = new JfseStep(nets, options, CPU);
nets.train();
int n = arg["items"];
using var xv = torch.rand(n, arch.MediumDimensions[0]);
using var xt = torch.rand(n, arch.MediumDimensions[1]);
using var classes = torch.rand(arg["classes"], arch.ClassDimension);
var rng = new Random(1);
using var yv = torch.tensor(Enumerable.Range(0, n).Select(i => (long)(i % arg["classes"])).ToArray());
using var gen = new torch.Generator(7);

var times = new List<double>();
for (int s = 0; s < arg["warmup"] + arg["steps"]; s++)
{
    var idx = Enumerable.Range(0, arg["batch"]).Select(_ => (long)rng.Next(n)).ToArray();
    var clock = Stopwatch.StartNew();
    step.Run(0.5, gen, [new(xv, yv, idx), new(xt, yv, idx)], classes, []); // JfseStep.Run opens one dispose scope per step
    if (s >= arg["warmup"]) times.Add(clock.Elapsed.TotalMilliseconds);
}
times.Sort();
double PeakRssMb()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:")) return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    return double.NaN;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"torchsharp threads={arg["threads"]} steps={times.Count} median_ms={times[times.Count / 2]:F1} mean_ms={times.Average():F1} min_ms={times[0]:F1} peak_rss_mb={PeakRssMb():F0}"));
Console.WriteLine($"allocator: {NativeTuning.AllocatorSettings}");
