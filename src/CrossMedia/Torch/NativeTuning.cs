using System.Runtime.InteropServices;

namespace CrossMedia.Torch;

/// <summary>
/// Process-wide settings of the native runtime that libtorch runs on, applied once before libtorch
/// (and its OpenMP runtime) is loaded. Each one is skipped when the user already chose it through the
/// usual environment variable, so it can always be overridden. Measured in bench/README.md.
/// </summary>
internal static partial class NativeTuning
{
    /// <summary>
    /// Sets OMP_WAIT_POLICY=PASSIVE unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is set. libgomp's default
    /// makes idle OpenMP workers spin for up to ~300k iterations after every parallel region; on a machine
    /// whose cores are shared with other processes that spinning took ~40 % of the CPU samples of a JFSE
    /// step (perf), time the computing thread then lacked. Must run before libgomp is loaded: libgomp
    /// reads the variable in its constructor, and .NET's Environment.SetEnvironmentVariable does not
    /// change the C environment, hence setenv.
    /// </summary>
    public static void ApplyOpenMpWaitPolicy()
    {
        if (!OperatingSystem.IsLinux()) return;
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null) return;
        if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null) return;
        SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
    }

    /// <summary>
    /// Lets the allocator keep freed memory for reuse instead of returning it to the kernel, so the large
    /// tensor buffers of a training step reuse pages rather than touching fresh zeroed ones every step.
    /// On by default; CROSSMEDIA_MALLOC_TUNING=0 turns it off, and it is skipped when the user configures the
    /// allocator (MALLOC_*_ variables, GLIBC_TUNABLES with malloc, MALLOC_CONF). Measured in bench/README.md
    /// (jfse-step, resnet-step).
    /// glibc: mallopt(M_MMAP_MAX, 0) and M_TRIM_THRESHOLD 2 GiB. glibc serves every block above 32 MiB with
    /// mmap and unmaps it on free: ~1 M page faults and ~2 s of kernel time per JFSE step, which made the step
    /// ~4× slower; the kept heap costs some peak RSS through fragmentation (JFSE +6 %). mallopt acts on the
    /// running allocator, so it works from here, whenever the library is first used (glibc reads the
    /// MALLOC_*_ variables only at process start). (Blocks above 64 MiB requested from a thread with its own
    /// arena are still mapped; the CLI and the benchmarks train on the main thread, whose arena has no such limit.)
    /// jemalloc (when preloaded, instead of glibc's): dirty/muzzy decay off via mallctl; otherwise it purges
    /// pages idle for ~10 s, i.e. between steps (JFSE: ~1 M faults per step; costs +7–9 % peak RSS).
    /// </summary>
    public static void ApplyMallocTuning()
    {
        if (!OperatingSystem.IsLinux()) return;
        if (MallocTuningDisabled(out var reason))
        {
            AllocatorSettings = $"default allocator ({reason})";
            return;
        }
        if (NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "mallctl", out var mallctl))
        {
            // 4096 = MALLCTL_ARENAS_ALL: the arenas that exist; "arenas.*" the defaults for later ones.
            foreach (var name in new[] { "arenas.dirty_decay_ms", "arenas.muzzy_decay_ms", "arena.4096.dirty_decay_ms", "arena.4096.muzzy_decay_ms" })
                SetJemallocSize(mallctl, name, -1);
            AllocatorSettings = "jemalloc, freed pages kept (decay off; CROSSMEDIA_MALLOC_TUNING=0 turns it off)";
            return;
        }
        KeepGlibcHeap();
        AllocatorSettings = "glibc, freed memory kept (M_MMAP_MAX=0, M_TRIM_THRESHOLD=2 GiB; CROSSMEDIA_MALLOC_TUNING=0 turns it off)";
    }

    /// <summary>What <see cref="ApplyMallocTuning"/> set, in words (printed by the benchmarks).</summary>
    internal static string AllocatorSettings { get; private set; } = "default allocator (not tuned: libtorch not loaded yet, or not Linux)";

    /// <summary>glibc's heap retention (see <see cref="ApplyMallocTuning"/>).</summary>
    private static void KeepGlibcHeap()
    {
        const int mTrimThreshold = -1, mMmapMax = -4; // from glibc's malloc.h
        MallOpt(mMmapMax, 0);
        MallOpt(mTrimThreshold, int.MaxValue);
    }

    private static unsafe void SetJemallocSize(IntPtr mallctl, string name, nint value)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* n = bytes)
            ((delegate* unmanaged<byte*, void*, nuint*, void*, nuint, int>)mallctl)(n, null, null, &value, (nuint)sizeof(nint));
    }

    private static bool MallocTuningDisabled(out string reason)
    {
        reason = "CROSSMEDIA_MALLOC_TUNING=0";
        if (Environment.GetEnvironmentVariable("CROSSMEDIA_MALLOC_TUNING") == "0") return true;
        reason = "the user's GLIBC_TUNABLES";
        if ((Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "").Contains("malloc", StringComparison.Ordinal)) return true;
        reason = "the user's MALLOC_CONF";
        if (Environment.GetEnvironmentVariable("MALLOC_CONF") is not null) return true;
        foreach (var key in Environment.GetEnvironmentVariables().Keys)
            if (key is string name && name.StartsWith("MALLOC_", StringComparison.Ordinal) && name.EndsWith('_'))
            {
                reason = $"the user's {name}";
                return true;
            }
        return false;
    }

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);

    [LibraryImport("libc.so.6", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
