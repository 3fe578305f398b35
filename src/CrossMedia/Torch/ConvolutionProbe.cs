using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CrossMedia.Core;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CrossMedia.Torch;

/// <summary>What the convolution probe found on this machine.</summary>
public enum ProbeOutcome
{
    /// <summary>Every convolution ran with libtorch's default backends.</summary>
    Passed,
    /// <summary>The probe died from a signal with oneDNN on and ran through with oneDNN and NNPACK off.</summary>
    OneDnnCrashed,
    /// <summary>The probe died from a signal even with oneDNN and NNPACK off.</summary>
    CrashedWithoutOneDnn,
    /// <summary>The probe could not run or failed without a signal (not cached; nothing is changed).</summary>
    Inconclusive,
}

/// <summary>A probe's outcome, the signal the child died from and the step it was running.</summary>
public sealed record ProbeVerdict(ProbeOutcome Outcome, string? Signal = null, string? Step = null)
{
    /// <summary>The one line a run prints when the verdict turns backends off; null when nothing changes.</summary>
    public string? Notice => Outcome switch
    {
        ProbeOutcome.OneDnnCrashed =>
            $"warning: libtorch's oneDNN convolutions crash on this CPU (a probe died with {Signal} in: {Step}); " +
            $"this run uses libtorch's own convolutions instead (oneDNN and NNPACK off: same results, slower). " +
            $"{ConvolutionProbe.OverrideVariable}=1 forces oneDNN on.",
        ProbeOutcome.CrashedWithoutOneDnn =>
            $"warning: convolutions crash in native code on this CPU even with oneDNN and NNPACK off (a probe died with {Signal} in: {Step}); " +
            "this run may crash too: try one thread, and please report the CPU model.",
        _ => null,
    };
}

/// <summary>
/// Keeps convolutions off a libtorch CPU backend that crashes on this machine. On some AMD EPYC CPUs
/// libtorch's oneDNN convolutions die with SIGFPE, an integer division by zero in native code that takes
/// the whole process down (PyTorch issue #177227: a 1×1 convolution; workaround there: mkldnn off), and
/// NNPACK divides by a zero cache size where cpuinfo misreads the topology (PyTorch issue #153139). Such a
/// fault cannot be caught in-process, so before the first convolutional network is built
/// (<see cref="EnsureSafe"/>, called by every Backbone) the convolution shapes that matter run in a child
/// process; when the child dies from a signal, this process turns oneDNN and NNPACK off through libtorch's own
/// switch (<see cref="NativeBackends"/>) and prints one line saying so. The verdict is cached per CPU model,
/// libtorch build and thread count under the user cache folder, so a machine pays the probe (~1 s) once.
/// <see cref="OverrideVariable"/>: 0 = both backends off without probing, 1 = libtorch's defaults without
/// probing, auto (default) = probe. The child is `dotnet CrossMedia.Cli.dll probe-convolutions THREADS`
/// (the CLI ships next to this library; without it only the override applies).
/// </summary>
internal static partial class ConvolutionProbe
{
    /// <summary>The CLI's hidden argument that runs <see cref="Run"/> (not a user command).</summary>
    public const string Command = "probe-convolutions";

    /// <summary>0, 1 or auto: see the class summary.</summary>
    public const string OverrideVariable = "CROSSMEDIA_MKLDNN";

    /// <summary>For tests: "mkldnn" makes the probe divide by zero in native code while oneDNN is on; "always" in any case.</summary>
    public const string FaultVariable = "CROSSMEDIA_PROBE_FAULT";

    private const string StepPrefix = "step ";
    private static readonly object Gate = new();
    private static bool _ensured;

    /// <summary>
    /// Turns NNPACK off where it cannot initialise (<see cref="NativeBackends.TurnOffNnpackWhereUnsupported"/>), then
    /// applies <see cref="OverrideVariable"/> or the (cached) probe verdict, once per process; a verdict that
    /// turns backends off is reported on standard error in one line.
    /// </summary>
    public static void EnsureSafe()
    {
        lock (Gate)
        {
            if (_ensured) return;
            var mode = Mode();
            _ensured = true;
            NativeBackends.TurnOffNnpackWhereUnsupported();
            if (mode == "0") TurnBackendsOff();
            if (mode != "auto") return;
            var cli = Path.Combine(AppContext.BaseDirectory, "CrossMedia.Cli.dll");
            if (!File.Exists(cli)) return;
            var verdict = Probe(torch.get_num_threads(), Path.Combine(UserCache.Root(), "convolution-probe"), threads => Launcher(cli, threads));
            if (Apply(verdict) is { } notice) Console.Error.WriteLine(notice);
        }
    }

    /// <summary>Turns the backends off when the verdict says so; returns the line to print (null: nothing changed).</summary>
    internal static string? Apply(ProbeVerdict verdict)
    {
        if (verdict.Outcome is ProbeOutcome.OneDnnCrashed or ProbeOutcome.CrashedWithoutOneDnn) TurnBackendsOff();
        return verdict.Notice;
    }

    private static void TurnBackendsOff()
    {
        NativeBackends.Mkldnn = false;
        NativeBackends.Nnpack = false;
    }

    private static string Mode()
    {
        var value = Environment.GetEnvironmentVariable(OverrideVariable);
        return value switch
        {
            null or "" or "auto" => "auto",
            "0" or "1" => value,
            _ => throw new InputException(OverrideVariable, "", "0 (oneDNN and NNPACK off), 1 (on) or auto", $"'{value}'"),
        };
    }

    /// <summary>The cached verdict for this machine, or a fresh one from child processes started by <paramref name="launcher"/>.</summary>
    internal static ProbeVerdict Probe(int threads, string cacheDirectory, Func<int, ProcessStartInfo> launcher)
    {
        var key = CacheKey(threads);
        var file = Path.Combine(cacheDirectory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16] + ".json");
        if (ReadCache(file, key) is { } cached) return cached;
        var first = RunChild(launcher(threads), backendsOff: false);
        ProbeVerdict verdict;
        if (first is null) return new ProbeVerdict(ProbeOutcome.Inconclusive);
        if (first.Signal is null) verdict = new ProbeVerdict(ProbeOutcome.Passed);
        else
        {
            var second = RunChild(launcher(threads), backendsOff: true);
            verdict = second is { Signal: null }
                ? new ProbeVerdict(ProbeOutcome.OneDnnCrashed, first.Signal, first.Step)
                : new ProbeVerdict(ProbeOutcome.CrashedWithoutOneDnn, second?.Signal ?? first.Signal, second?.Step ?? first.Step);
        }
        WriteCache(file, key, verdict);
        return verdict;
    }

    /// <summary>`dotnet CrossMedia.Cli.dll probe-convolutions THREADS`.</summary>
    internal static ProcessStartInfo Launcher(string cliDll, int threads)
    {
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var psi = new ProcessStartInfo(host);
        psi.ArgumentList.Add(cliDll);
        psi.ArgumentList.Add(Command);
        psi.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture));
        return psi;
    }

    /// <summary>The name of the fatal signal behind a child's exit code (.NET reports 128 + signal), or null.</summary>
    public static string? FatalSignal(int exitCode) => (exitCode - 128) switch
    {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        11 => "SIGSEGV",
        _ => null,
    };

    /// <summary>The name after the last "step " line a child printed before it died.</summary>
    public static string? LastStep(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith(StepPrefix, StringComparison.Ordinal))?[StepPrefix.Length..];

    private sealed record ChildResult(string? Signal, string? Step);

    /// <summary>Null when the child could not start, hung, or failed without a signal.</summary>
    private static ChildResult? RunChild(ProcessStartInfo psi, bool backendsOff)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.Environment[OverrideVariable] = backendsOff ? "0" : "auto";
        Process? child;
        try
        {
            child = Process.Start(psi);
        }
        catch (Win32Exception)
        {
            return null;
        }
        if (child is null) return null;
        using (child)
        {
            var stdout = child.StandardOutput.ReadToEndAsync();
            _ = child.StandardError.ReadToEndAsync();
            if (!child.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                child.Kill(entireProcessTree: true);
                child.WaitForExit();
                return null;
            }
            if (child.ExitCode == 0) return new ChildResult(null, null);
            return FatalSignal(child.ExitCode) is { } signal ? new ChildResult(signal, LastStep(stdout.Result) ?? "start-up") : null;
        }
    }

    // ---------------------------------------------------------------- the child

    /// <summary>
    /// The probe itself (in the child): every step's name is printed and flushed before it runs, so a parent
    /// that sees the child die knows where. Exit code 0 when all ran, 1 on a .NET exception; a native fault kills it.
    /// </summary>
    public static int Run(TextWriter output, int threads)
    {
        try
        {
            TorchRuntime.Initialize(threads);
            if (Mode() == "0") TurnBackendsOff();
            output.WriteLine($"backends: {NativeBackends.Describe()}, {threads} threads");
            foreach (var (name, step) in Steps())
            {
                step(stage =>
                {
                    output.WriteLine($"{StepPrefix}{name}, {stage}");
                    output.Flush();
                });
            }
            output.WriteLine("ok");
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.Message.Split('\n')[0]}");
            return 1;
        }
    }

    /// <summary>The convolutions CrossMedia's networks run: ResNet-50's 1×1 bottleneck convolutions, 3×3, strided, the 7×7 stem, the text branch's 1-d ones.</summary>
    private static IEnumerable<(string Name, Action<Action<string>> Run)> Steps()
    {
        yield return Conv2d("1×1 convolution 1536→32 on 1×1536×1×32 (the shape of PyTorch issue #177227)", [1, 1536, 1, 32], 32, 1, 1, 0);
        yield return Conv2d("1×1 bottleneck reduce 256→64 on 2×256×8×8", [2, 256, 8, 8], 64, 1, 1, 0);
        yield return Conv2d("1×1 bottleneck expand 64→256 on 2×64×8×8", [2, 64, 8, 8], 256, 1, 1, 0);
        yield return Conv2d("1×1 projection 256→512, stride 2, on 2×256×8×8", [2, 256, 8, 8], 512, 1, 2, 0);
        yield return Conv2d("1×1 convolution 512→2048 on 2×512×1×1 (the last stage at small inputs)", [2, 512, 1, 1], 2048, 1, 1, 0);
        yield return Conv2d("3×3 convolution 64→64 on 2×64×8×8", [2, 64, 8, 8], 64, 3, 1, 1);
        yield return Conv2d("3×3 convolution 128→128, stride 2, on 2×128×8×8", [2, 128, 8, 8], 128, 3, 2, 1);
        yield return Conv2d("3×3 convolution 16→16 on 16×16×8×8 (batch 16: NNPACK's range)", [16, 16, 8, 8], 16, 3, 1, 1);
        yield return Conv2d("7×7 stem 3→64, stride 2, on 2×3×32×32", [2, 3, 32, 32], 64, 7, 2, 3);
        yield return ("1-d convolution 16→32, kernel 3, on 2×16×64 (text branch)", stage =>
        {
            using var scope = NewDisposeScope();
            var x = torch.randn([2, 16, 64], requires_grad: true);
            var w = torch.randn([32, 16, 3], requires_grad: true);
            stage("forward");
            var y = F.conv1d(x, w, padding: 1);
            stage("backward");
            y.sum().backward();
        });
        var fault = Environment.GetEnvironmentVariable(FaultVariable);
        if (fault == "always" || (fault == "mkldnn" && NativeBackends.Mkldnn))
            yield return ($"an injected native division by zero ({FaultVariable}={fault})", stage =>
            {
                stage("forward");
                Divide(1, 0);
            });
    }

    private static (string, Action<Action<string>>) Conv2d(string name, long[] input, long outChannels, long kernel, long stride, long padding) =>
        (name, stage =>
        {
            using var scope = NewDisposeScope();
            var x = torch.randn(input, requires_grad: true);
            var w = torch.randn([outChannels, input[1], kernel, kernel], requires_grad: true);
            stage("forward");
            var y = F.conv2d(x, w, strides: [stride, stride], padding: [padding, padding]);
            stage("backward");
            y.sum().backward();
        });

    /// <summary>libc's div(): an integer division in native code, as libtorch's fault (div_t comes back in one register).</summary>
    [LibraryImport("libc.so.6", EntryPoint = "div")]
    private static partial long Divide(int numerator, int denominator);

    // ---------------------------------------------------------------- the cache

    /// <summary>What the verdict depends on: the CPU (model and flags), the libtorch build and the thread count.</summary>
    internal static string CacheKey(int threads) => $"{CpuIdentity()}; {TorchRuntime.LibTorchIdentity()}; {threads} threads";

    private static string CpuIdentity()
    {
        try
        {
            // The first processor's block of /proc/cpuinfo; the flags hashed (a VM may hide some).
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.Length == 0) break;
                var colon = line.IndexOf(':');
                if (colon > 0) fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
            string Field(string name) => fields.GetValueOrDefault(name, "?");
            var flags = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Field("flags"))))[..12];
            return $"{Field("vendor_id")} family {Field("cpu family")} model {Field("model")} stepping {Field("stepping")} " +
                   $"({Field("model name")}), microcode {Field("microcode")}, flags {flags}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private sealed record CacheEntry(string Key, ProbeOutcome Outcome, string? Signal, string? Step);

    private static ProbeVerdict? ReadCache(string file, string key)
    {
        try
        {
            var entry = JsonSerializer.Deserialize<CacheEntry>(File.ReadAllText(file));
            return entry is not null && entry.Key == key && entry.Outcome != ProbeOutcome.Inconclusive
                ? new ProbeVerdict(entry.Outcome, entry.Signal, entry.Step)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null; // absent or damaged: probe again
        }
    }

    private static void WriteCache(string file, string key, ProbeVerdict verdict)
    {
        try
        {
            AtomicFile.WriteAllText(file, JsonSerializer.Serialize(new CacheEntry(key, verdict.Outcome, verdict.Signal, verdict.Step)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache only saves time: a read-only home probes on every run.
        }
    }
}
