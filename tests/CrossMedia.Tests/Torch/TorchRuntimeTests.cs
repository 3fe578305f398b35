using CrossMedia.Torch;
using TorchSharp;

namespace CrossMedia.Tests.Torch;

/// <summary>Runs alone: these tests read libtorch's process-wide thread count, which other tests set.</summary>
[CollectionDefinition(nameof(TorchRuntimeTests), DisableParallelization = true)]
public sealed class TorchGlobalStateCollection;

[Collection(nameof(TorchRuntimeTests))]
public class TorchRuntimeTests
{
    [Fact]
    public void Initialize_Should_LoadBundledLibtorchAndCompute()
    {
        TorchRuntime.Initialize(1);
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var b = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
        Assert.Equal(1, torch.get_num_threads());
    }

    [Fact]
    public void Patch_Should_MarkGlibcxx332WeakOrSystemIsNewEnough()
    {
        var lib = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Assert.True(File.Exists(lib));
        var systemHasIt = File.ReadAllText("/usr/lib/x86_64-linux-gnu/libstdc++.so.6", System.Text.Encoding.Latin1).Contains("GLIBCXX_3.4.32\0");
        if (systemHasIt) return;
        var psi = new System.Diagnostics.ProcessStartInfo("readelf", $"-V \"{lib}\"") { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var line = text.Split('\n').First(l => l.Contains("Name: GLIBCXX_3.4.32"));
        Assert.Contains("WEAK", line);
    }

    [Fact]
    public void ParseDevice_Should_KeepTheThreadCountAndRejectUnknownDevices()
    {
        TorchRuntime.Initialize(1);
        Assert.Equal(torch.CPU.type, TorchRuntime.ParseDevice("cpu").type);
        Assert.Equal(1, torch.get_num_threads());
        var e = Assert.Throws<InputException>(() => TorchRuntime.ParseDevice("tpu"));
        Assert.Contains("expected cpu, cuda or cuda:N", e.Message);
    }
}
