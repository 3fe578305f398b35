using CrossMedia.Core;
using CrossMedia.Media;
using CrossMedia.Models.Backbones;
using CrossMedia.Models.FgCrossNet;
using CrossMedia.Models.Jfse;
using CrossMedia.Torch;
using CrossMedia.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Training;

/// <summary>
/// The child-process side of <see cref="GcStressTests"/>: JFSE and FGCrossNet training steps (and the
/// JFSE inference path) in a loop while another thread collects garbage and runs finalisers without
/// pause. A number handed to TorchSharp as a temporary Scalar is then finalised (its native object
/// freed) while libtorch still reads it: the process aborts in native code or throws a torch error.
/// Prints "ok STEPS" and returns 0 when the time is up without either.
/// </summary>
public static class GcStressProbe
{
    public static int Run(double seconds)
    {
        TorchRuntime.Initialize(1);
        torch.random.manual_seed(1);
        bool done = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref done)) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        }) { IsBackground = true };

        // JFSE: tiny networks, one batch.
        var arch = new JfseArchitecture([12, 6], 5, 16, 4);
        using var nets = new JfseNetworks(arch);
        var jfseOptions = new JfseTrainingOptions(BatchSize: 8, Hidden: 16, NoiseDimension: 4, CriticSteps: 2);
        using var jfse = new JfseStep(nets, jfseOptions, CPU);
        using var xv = torch.rand(20, 12);
        using var xt = torch.rand(20, 6);
        using var y = torch.tensor(Enumerable.Range(0, 20).Select(i => (long)(i % 3)).ToArray());
        using var classes = torch.rand(5, 5);
        using var gen = new torch.Generator(3);
        long[] batch = [0, 3, 5, 7, 11, 13, 17, 19];
        long[] unseen = [3, 4];
        var scaler = MinMaxScaler.Fit(new Matrix(Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), 2, 12));
        var features = new Matrix(Enumerable.Range(0, 36).Select(i => i / 36f).ToArray(), 3, 12);

        // FGCrossNet: ResNet-18 at 32 px, a picture medium and a text medium, stage 2 (every loss term).
        const int size = 32, perMedium = 4, classCount = 3;
        using var net = new FgCrossNetNetwork(BackboneRegistry.Create("resnet18", classCount, new BackboneOptions(size)), size);
        var trainer = new FgCrossNetTrainer(new FgCrossNetTrainingOptions { BatchSize = perMedium, Stage1Epochs = 0, Stage2Epochs = 1 });
        var optimizer = trainer.NewOptimizer(net);
        var rng = new Random(1);
        List<DecodedItem> Items(MediaKind kind) => Enumerable.Range(0, perMedium).Select(i => new DecodedItem
        {
            Row = i, Id = $"{kind}{i}", Label = i % classCount, Kind = kind, Path = "",
            Pixels = kind == MediaKind.Image ? Enumerable.Range(0, 3 * size * size).Select(_ => (float)rng.NextDouble()).ToArray() : null,
            Text = kind == MediaKind.Text ? $"text of item {i}" : null, Height = size, Width = size,
        }).ToList();
        List<DecodedItem>[] train = [Items(MediaKind.Image), Items(MediaKind.Text)];
        MediaKind[] kinds = [MediaKind.Image, MediaKind.Text];
        long[][] orders = [[0, 1, 2, 3], [3, 2, 1, 0]];

        collector.Start();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long steps = 0;
        net.train();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 20; i++) jfse.Run(0.5, gen, [new(xv, y, batch), new(xt, y, batch)], classes, unseen);
            JfseModel.EmbedRaw(nets.Regressors[0], scaler, features, CPU);
            trainer.Step(net, optimizer, kinds, train, orders, 0, stage2: true, rng);
            steps++;
        }
        Volatile.Write(ref done, true);
        collector.Join();
        optimizer.Dispose();
        Console.WriteLine($"ok {steps}");
        return 0;
    }
}
