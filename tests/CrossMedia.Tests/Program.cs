using System.Runtime.InteropServices;
using CrossMedia.Torch;
using TorchSharp;

namespace CrossMedia.Tests;

/// <summary>
/// Entry point of the test assembly run as a program (`dotnet CrossMedia.Tests.dll PROBE`): probes
/// that must start in a fresh process because what they observe is process-wide native state that
/// other tests change (glibc's malloc keeps free space and adapts its mmap threshold to earlier traffic),
/// or because a native fault in them would kill the test host (every backbone's forward and backward).
/// xunit itself never calls it.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => args switch
    {
        ["mapped-by-40mb-tensor"] => PrintMappedBytesOfA40MbTensor(TorchRuntime.Initialize),
        ["mapped-by-40mb-tensor-after-model-load"] => PrintMappedBytesOfA40MbTensor(LoadAMissingJfseModel),
        [Models.Backbones.BackboneChild.Command, var name] => Models.Backbones.BackboneChild.RunInChild(name),
        ["gc-stress", var seconds] => Training.GcStressProbe.Run(double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture)),
        _ => 2,
    };

    /// <summary>Bytes glibc newly maps (mallinfo2's hblkhd) while a 40 MB tensor lives, on the main thread, after <paramref name="start"/> loaded libtorch.</summary>
    private static int PrintMappedBytesOfA40MbTensor(Action<int> start)
    {
        start(1);
        var before = MallInfo2().MappedBytes;
        using var big = torch.zeros(10_000_000);
        Console.WriteLine(MallInfo2().MappedBytes - before);
        return 0;
    }

    /// <summary>What `search` and `serve` do first with a JFSE model, with no TorchRuntime.Initialize before (the folder is missing: only the start matters).</summary>
    private static void LoadAMissingJfseModel(int threads)
    {
        try { CrossMedia.Models.Jfse.JfseModel.Load(Path.Combine(Path.GetTempPath(), $"no-model-{Guid.NewGuid():N}")); }
        catch (Exception e) when (e is InputException or IOException) { }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo
    {
        public nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, UsmBlks, FsmBlks, UordBlks, FordBlks, KeepCost;
        public readonly long MappedBytes => (long)HBlkHd;
    }

    [DllImport("libc.so.6", EntryPoint = "mallinfo2")]
    private static extern MallInfo MallInfo2();
}
