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
        // mallinfo2 counts the whole process, where tests of other classes allocate at the same time:
        // the least (heap kept) or most (default) of three tries filters out their traffic.
        long MappedBy40Mb(bool least) => Enumerable.Range(0, 3).Select(_ =>
        {
            var before = MallInfo2().MappedBytes;
            using var big = torch.zeros(10_000_000);
            return MallInfo2().MappedBytes - before;
        }).Aggregate(least ? long.MaxValue : long.MinValue, (a, b) => least ? Math.Min(a, b) : Math.Max(a, b));
        // The default first: once the kept heap has held a 40 MB block, that free space stays in the heap
        // and would serve the next request without a mapping until something trims it.
        Assert.True(MappedBy40Mb(least: false) >= 10_000_000 * 4L, "glibc's default should map a 40 MB block");
        try
        {
            NativeTuning.KeepGlibcHeap(true);
            Assert.True(MappedBy40Mb(least: true) < 10_000_000 * 4L, "a 40 MB tensor was served by mmap with the heap kept");
        }
        finally
        {
            NativeTuning.KeepGlibcHeap(false); // the opt-in setting is not this process's default
        }
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
