using System.Runtime.InteropServices;
using CrossMedia.Torch;
using TorchSharp;

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
    public void KeepGlibcHeap_Should_ServeLargeTensorsFromTheHeapNotFreshMappings()
    {
        if (Environment.GetEnvironmentVariable("LD_PRELOAD") is { Length: > 0 }) return; // not glibc's malloc
        TorchRuntime.Initialize(1);
        // 40 MB: above glibc's highest mmap threshold (32 MiB), below the 64 MiB heap size of the
        // per-thread arenas that test threads use (larger blocks than that are mmap'd there regardless).
        long MappedBy40Mb()
        {
            var before = MallInfo2().MappedBytes;
            using var big = torch.zeros(10_000_000);
            return MallInfo2().MappedBytes - before;
        }
        try
        {
            NativeTuning.KeepGlibcHeap(true);
            Assert.True(MappedBy40Mb() < 10_000_000 * 4L, "a 40 MB tensor was served by mmap with the heap kept");
        }
        finally
        {
            NativeTuning.KeepGlibcHeap(false); // the opt-in setting is not this process's default
        }
        Assert.True(MappedBy40Mb() >= 10_000_000 * 4L, "glibc's default should map a 40 MB block");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo
    {
        public nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, UsmBlks, FsmBlks, UordBlks, FordBlks, KeepCost;
        public readonly long MappedBytes => (long)HBlkHd;
    }

    [DllImport("libc.so.6", EntryPoint = "mallinfo2")]
    private static extern MallInfo MallInfo2();

    [DllImport("libc.so.6", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
