using System.Diagnostics;
using System.Runtime.InteropServices;
using CrossMedia.Torch;

namespace CrossMedia.Tests.Torch;

[Collection(nameof(TorchRuntimeTests))]
public class NativeTuningTests
{
    [Fact]
    public void Initialize_Should_MakeOpenMpWaitPassiveUnlessTheUserChose()
    {
        TorchRuntime.Initialize(1);
        var expected = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")
                       ?? (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is null ? "PASSIVE" : null);
        Assert.Equal(expected, Marshal.PtrToStringUTF8(GetEnv("OMP_WAIT_POLICY")));
    }

    [Fact]
    public void MallocTuning_Should_ServeLargeTensorsFromTheHeap_ByDefault_AndNotWhenTurnedOff()
    {
        // Fresh processes (see Program): in this one, earlier tests' free space could serve the block.
        // 40 MB is above glibc's highest mmap threshold (32 MiB), so glibc's own default always maps it.
        Assert.True(MappedBytesOfA40MbTensor(tuning: null) < 10_000_000 * 4L, "a 40 MB tensor was mapped with the default settings");
        Assert.True(MappedBytesOfA40MbTensor(tuning: "1") < 10_000_000 * 4L, "a 40 MB tensor was mapped with CROSSMEDIA_MALLOC_TUNING=1");
        Assert.True(MappedBytesOfA40MbTensor(tuning: "0") >= 10_000_000 * 4L, "CROSSMEDIA_MALLOC_TUNING=0 should leave glibc's default");
    }

    [Fact]
    public void MallocTuning_Should_HoldToo_WhenLoadingAModelStartsLibtorch()
    {
        Assert.True(MappedBytesOfA40MbTensor(tuning: null, "mapped-by-40mb-tensor-after-model-load") < 10_000_000 * 4L,
            "a 40 MB tensor was mapped after JfseModel.Load started libtorch (search, serve)");
    }

    private static long MappedBytesOfA40MbTensor(string? tuning, string command = "mapped-by-40mb-tensor")
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        psi.ArgumentList.Add(command);
        foreach (var name in psi.Environment.Keys.Where(k => k == "LD_PRELOAD" || k == "GLIBC_TUNABLES" || k.StartsWith("MALLOC_")).ToList())
            psi.Environment.Remove(name); // glibc's malloc with its defaults
        psi.Environment.Remove("CROSSMEDIA_MALLOC_TUNING");
        if (tuning is not null) psi.Environment["CROSSMEDIA_MALLOC_TUNING"] = tuning;
        using var probe = Process.Start(psi)!;
        var stdout = probe.StandardOutput.ReadToEndAsync();
        var stderr = probe.StandardError.ReadToEndAsync();
        Assert.True(probe.WaitForExit(TimeSpan.FromMinutes(1)), "the probe did not finish");
        Assert.True(probe.ExitCode == 0, $"the probe failed: {stderr.Result}");
        return long.Parse(stdout.Result.Trim());
    }

    [DllImport("libc.so.6", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
