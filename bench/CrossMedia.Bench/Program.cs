namespace CrossMedia.Bench;

/// <summary>
/// Benchmarks that never run in the test suite. Usage: <c>CrossMedia.Bench &lt;mode&gt; [--key value ...]</c>.
/// One line per mode in <see cref="Modes"/>; each prints its results as key=value lines.
/// </summary>
public static class Program
{
    private static readonly Dictionary<string, (string Help, Func<BenchArgs, int> Run)> Modes = new(StringComparer.Ordinal)
    {
        ["resnet-step"] = ("ResNet training step (SGD momentum 0.9, cross-entropy); --depth 50 --batch 16 --size 224 --threads 2 --warmup 2 --steps 6", ResNetStepBenchmark.Run),
        ["resnet-crosscheck"] = ("imports a PyTorch ResNet written by bench/resnet-step/crosscheck.py and compares outputs; --dir /tmp/resnet-crosscheck --depth 50", ResNetCrossCheck.Run),
    };

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !Modes.TryGetValue(args[0], out var mode))
        {
            Console.Error.WriteLine("usage: CrossMedia.Bench <mode> [--key value ...]; modes:");
            foreach (var (name, (help, _)) in Modes) Console.Error.WriteLine($"  {name}: {help}");
            return 2;
        }
        return mode.Run(new BenchArgs(args.Skip(1).ToArray()));
    }
}
