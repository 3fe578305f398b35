using System.Runtime.InteropServices;
using TorchSharp;

namespace CrossMedia.Torch;

/// <summary>
/// Deterministic start-up of libtorch. Loads the native libraries that ship next to the
/// application by full path before the first torch call, so a system copy (e.g. Debian's
/// python3-torch puts libtorch_cpu.so.1.13 on the loader path) can never be picked up first,
/// and sets the intra-op thread count explicitly. Before loading it applies <see cref="NativeTuning"/>
/// (passive OpenMP waiting unless OMP_WAIT_POLICY / GOMP_SPINCOUNT is set; freed memory kept by the
/// allocator, glibc's or a preloaded jemalloc, unless CROSSMEDIA_MALLOC_TUNING=0).
/// </summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static bool _initialised;
    private static IntPtr _torchCpu;
    private static IntPtr _c10;

    /// <summary>The native libraries in dependency order (libgomp's file name carries a hash).</summary>
    private static readonly string[] NativeLibraries =
        ["libgomp*.so*", "libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so"];

    /// <summary>Loads libtorch (once) and sets the thread count (0 = one per core).</summary>
    public static void Initialize(int threads = 0)
    {
        lock (Gate)
        {
            LoadNativeLibraries();
            var n = threads > 0 ? threads : Environment.ProcessorCount;
            torch.set_num_threads(n);
        }
    }

    private static void LoadNativeLibraries()
    {
        lock (Gate)
        {
            if (!_initialised)
            {
                NativeTuning.ApplyOpenMpWaitPolicy(); // before libgomp is loaded: it reads the policy once
                NativeTuning.ApplyMallocTuning();
                var dir = AppContext.BaseDirectory;
                foreach (var pattern in NativeLibraries)
                    foreach (var path in Directory.EnumerateFiles(dir, pattern).Order())
                    {
                        var handle = NativeLibrary.Load(path);
                        if (pattern == "libtorch_cpu.so") _torchCpu = handle;
                        if (pattern == "libc10.so") _c10 = handle;
                    }
                _initialised = true;
            }
        }
    }

    /// <summary>Loads libtorch (once) without touching the thread count; for library code that runs a torch op on its own.</summary>
    internal static void EnsureLoaded() => LoadNativeLibraries();

    /// <summary>The address of an exported libtorch_cpu.so symbol (loads libtorch if needed); for switches TorchSharp does not wrap.</summary>
    internal static IntPtr TorchCpuExport(string symbol)
    {
        LoadNativeLibraries();
        return NativeLibrary.GetExport(_torchCpu, symbol);
    }

    /// <summary>The address of an exported libc10.so symbol (loads libtorch if needed), e.g. its logging flags.</summary>
    internal static IntPtr C10Export(string symbol)
    {
        LoadNativeLibraries();
        return NativeLibrary.GetExport(_c10, symbol);
    }

    /// <summary>The libtorch build this process runs: TorchSharp's version and the size of libtorch_cpu.so (a cache key).</summary>
    internal static string LibTorchIdentity()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "libtorch_cpu.so");
        var size = File.Exists(path) ? new FileInfo(path).Length : 0;
        return $"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch_cpu.so {size} bytes";
    }

    /// <summary>Parses "cpu", "cuda" or "cuda:N" into a device, with a clear error when CUDA is absent.</summary>
    /// <remarks>Loads libtorch if needed but keeps the thread count set by <see cref="Initialize"/>.</remarks>
    public static torch.Device ParseDevice(string name)
    {
        lock (Gate)
        {
            if (!_initialised) Initialize();
        }
        var lower = name.Trim().ToLowerInvariant();
        if (lower == "cpu") return torch.CPU;
        if (lower.StartsWith("cuda"))
        {
            if (!torch.cuda.is_available())
                throw new InputException("device", "device", "cpu (this libtorch build has no CUDA device)", name);
            return torch.device(lower);
        }
        throw new InputException("device", "device", "cpu, cuda or cuda:N", name);
    }
}
