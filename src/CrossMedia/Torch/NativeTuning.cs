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

    [LibraryImport("libc.so.6", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
