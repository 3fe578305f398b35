using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace CrossMedia.Bench.Fuzz;

/// <summary>
/// The seeded fuzz run. <c>fuzz</c> supervises: it runs each target's cases in a child process
/// (<c>fuzz-worker</c>) that announces every case before running it, so a native abort, a hang past
/// the per-case timeout or resident memory past the bound is pinned on its case; the child is then
/// restarted after that case. Case i of a target is generated from (seed, target, i) alone, so
/// <c>--only i</c> replays it and keeps its files.
/// </summary>
public static class FuzzCommand
{
    public static readonly string[] AllTargets = ["readers", "index", "http"];
    /// <summary>Share of --cases per target.</summary>
    private static readonly Dictionary<string, double> Weights = new() { ["readers"] = 0.5, ["index"] = 0.3, ["http"] = 0.2 };

    public const string Help = "seeded fuzz run of the readers, index files and logs, and the HTTP service (children restarted after a crash or hang); " +
        "--cases 10000 --seed 1 --out /tmp/cm-fuzz --targets readers,index,http --time-limit 300 --case-timeout 10 --memory-mb 1024 " +
        "[--only N (replay case N of the one target, keeping its files)]";

    private static IFuzzTarget CreateTarget(string name) => name switch
    {
        "readers" => new ReaderTarget(),
        "index" => new IndexTarget(),
        "http" => new HttpTarget(),
        _ => throw new ArgumentException($"unknown target '{name}' (expected {string.Join(", ", AllTargets)})"),
    };

    public static int Run(BenchArgs a)
    {
        int cases = a.Int("cases", 10_000), seed = a.Int("seed", 1);
        var targets = a.String("targets", string.Join(",", AllTargets)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var outDir = Path.GetFullPath(a.String("out", "/tmp/cm-fuzz"));
        var work = Path.GetFullPath(a.String("work", Directory.Exists("/dev/shm") ? "/dev/shm/cm-fuzz-work" : Path.Combine(Path.GetTempPath(), "cm-fuzz-work")));
        var settings = new Settings(seed, TimeSpan.FromSeconds(a.Int("case-timeout", 10)), a.Int("memory-mb", 1024) * 1024L, work, outDir);
        if (a.String("only", "") is { Length: > 0 } only)
        {
            if (targets.Length != 1) throw new ArgumentException("--only needs exactly one --targets");
            return Replay(targets[0], int.Parse(only, CultureInfo.InvariantCulture), settings);
        }
        foreach (var t in targets) if (!Weights.ContainsKey(t)) throw new ArgumentException($"unknown target '{t}'");
        Directory.CreateDirectory(outDir);
        var timeLimit = TimeSpan.FromSeconds(a.Int("time-limit", 300));
        double weightSum = targets.Sum(t => Weights[t]);
        var results = new List<TargetReport>();
        var clock = Stopwatch.StartNew();
        foreach (var t in targets)
        {
            int n = (int)Math.Round(cases * Weights[t] / weightSum);
            // Each target may use its share of the time limit plus what earlier targets left unused.
            var budget = TimeSpan.FromTicks((long)(timeLimit.Ticks * (Weights[t] / weightSum))) + (timeLimit * (results.Sum(r => Weights[r.Target]) / weightSum) - clock.Elapsed);
            results.Add(new Supervisor(t, n, settings, budget).Run());
        }
        var summary = new Summary(seed, cases, clock.Elapsed.TotalSeconds, settings.MemoryKiB / 1024, results);
        summary.Print(Console.Out);
        File.WriteAllText(Path.Combine(outDir, "summary.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"summary: {Path.Combine(outDir, "summary.json")}");
        return summary.Failures > 0 ? 1 : 0;
    }

    /// <summary>Runs one case in this process and leaves its files under --work.</summary>
    private static int Replay(string target, int index, Settings s)
    {
        using var t = CreateTarget(target);
        var dir = Directory.CreateDirectory(Path.Combine(s.Work, "replay", $"{target}-{index}")).FullName;
        var r = RunCase(t, s.Seed, index, dir);
        Console.WriteLine($"{target} case {index}: {r.Outcome} | {r.Class} | {r.Detail}");
        Console.WriteLine($"files: {dir}");
        return r.IsFailure ? 1 : 0;
    }

    internal static CaseResult RunCase(IFuzzTarget t, int seed, int index, string dir)
    {
        try { return t.Run(index, FuzzUtil.CaseRandom(seed, t.Name, index), dir); }
        catch (Exception e) { return CaseResult.FromException("uncaught", e); }
    }

    /// <summary>
    /// The child: runs cases [from, to) of one target, printing "start i" before and "done i OUTCOME CLASS\tDETAIL"
    /// after each; exits 3 after a case that raised the memory high-water mark past the bound (a fresh process measures the next).
    /// </summary>
    public static int Worker(BenchArgs a)
    {
        var target = a.String("target", "");
        int seed = a.Int("seed", 1), from = a.Int("from", 0), to = a.Int("to", 0);
        long memoryKiB = a.Int("memory-mb", 1024) * 1024L;
        var deadline = DateTime.UtcNow.AddSeconds(a.Int("seconds", 300));
        var work = Directory.CreateDirectory(a.String("work", "")).FullName;
        var failures = Directory.CreateDirectory(a.String("failures", "")).FullName;
        var stdout = Console.Out;
        // Library output (warnings, ASP.NET logs) must not mix with the protocol.
        Console.SetOut(TextWriter.Null);
        IFuzzTarget.Announce = label => { stdout.WriteLine($"label {Escape(label)}"); stdout.Flush(); };
        using var t = CreateTarget(target);
        long baseline = FuzzUtil.StatusKiB("VmHWM");
        stdout.WriteLine($"ready {baseline}");
        stdout.Flush();
        int i = from;
        for (; i < to && DateTime.UtcNow < deadline; i++)
        {
            var dir = Path.Combine(work, i.ToString(CultureInfo.InvariantCulture));
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
            Directory.CreateDirectory(dir);
            stdout.WriteLine($"start {i}");
            stdout.Flush();
            long before = FuzzUtil.StatusKiB("VmHWM");
            var r = RunCase(t, seed, i, dir);
            long hwm = FuzzUtil.StatusKiB("VmHWM"), rss = FuzzUtil.StatusKiB("VmRSS");
            if (rss - baseline > memoryKiB)
            {
                // The GC keeps freed segments mapped for a while: count only what a full compacting collection leaves.
                System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                rss = FuzzUtil.StatusKiB("VmRSS");
            }
            // A spike within this case, or resident memory that crept up over the worker's cases (a leak).
            if (hwm - before > memoryKiB && r.Outcome != Outcome.Memory)
                r = new CaseResult(Outcome.Memory, $"{r.Class}: peak RSS +{(hwm - before) / 1024} MiB in one case", $"case outcome {r.Outcome} {r.Detail}");
            else if (rss - baseline > memoryKiB && r.Outcome != Outcome.Memory)
                r = new CaseResult(Outcome.Memory, $"resident memory grew by over {memoryKiB / 1024} MiB across {i - from + 1} cases", $"RSS {rss / 1024} MiB, {baseline / 1024} MiB at start");
            if (r.IsFailure) KeepFiles(dir, Path.Combine(failures, $"{target}-{i}"));
            Directory.Delete(dir, true);
            stdout.WriteLine($"done {i} {r.Outcome} {Escape(r.Class)}\t{Escape(r.Detail)}");
            stdout.Flush();
            if (r.Outcome == Outcome.Memory) return 3;
        }
        foreach (var (name, r) in t.Finish())
            stdout.WriteLine($"check {name.Replace(' ', '-')} {r.Outcome} {Escape(r.Class)}\t{Escape(r.Detail)}");
        stdout.WriteLine($"end {i} {FuzzUtil.StatusKiB("VmHWM")}");
        stdout.Flush();
        return 0;
    }

    internal static void KeepFiles(string dir, string to)
    {
        try { if (Directory.Exists(dir) && !Directory.Exists(to)) FuzzUtil.CopyDirectory(dir, to); }
        catch (IOException) { }
    }

    private static string Escape(string s) => s.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    internal sealed record Settings(int Seed, TimeSpan CaseTimeout, long MemoryKiB, string Work, string Out);
}

/// <summary>Cases per outcome of one target, its failure classes, and the peak resident memory of its processes.</summary>
public sealed class TargetReport(string target)
{
    public string Target { get; } = target;
    public int Planned { get; set; }
    public int Run { get; set; }
    public SortedDictionary<string, int> Outcomes { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, FailureClass> Classes { get; } = new(StringComparer.Ordinal);
    public long PeakRssMiB { get; set; }
    public int Restarts { get; set; }
    public List<string> Notes { get; } = [];

    public void Add(int index, CaseResult r, bool check = false)
    {
        if (!check) Run++;
        var key = r.Outcome.ToString().ToLowerInvariant();
        Outcomes[key] = Outcomes.GetValueOrDefault(key) + 1;
        if (r.Outcome is Outcome.Ok or Outcome.Clean) return;
        var c = Classes.TryGetValue($"{key}: {r.Class}", out var existing) ? existing : Classes[$"{key}: {r.Class}"] = new FailureClass(r.Outcome.ToString().ToLowerInvariant(), index, r.Detail);
        c.Count++;
    }
}

public sealed class FailureClass(string outcome, int firstCase, string detail)
{
    public string Outcome { get; } = outcome;
    public int FirstCase { get; } = firstCase;
    public string Detail { get; } = detail;
    public int Count { get; set; }
}

public sealed record Summary(int Seed, int Cases, double Seconds, long MemoryBoundMiB, List<TargetReport> Targets)
{
    public int Failures => Targets.Sum(t => t.Outcomes.Where(o => o.Key is not ("ok" or "clean" or "message" or "torn")).Sum(o => o.Value));

    public void Print(TextWriter w)
    {
        string[] columns = ["ok", "clean", "message", "torn", "crash", "hang", "memory", "lost", "garbage"];
        w.WriteLine();
        w.WriteLine($"| target | cases | {string.Join(" | ", columns)} | peak RSS MiB | restarts |");
        w.WriteLine($"|---|---:|{string.Concat(columns.Select(_ => "---:|"))}---:|---:|");
        foreach (var t in Targets)
            w.WriteLine($"| {t.Target} | {t.Run}{(t.Run < t.Planned ? $" of {t.Planned}" : "")} | {string.Join(" | ", columns.Select(c => t.Outcomes.GetValueOrDefault(c)))} | {t.PeakRssMiB} | {t.Restarts} |");
        w.WriteLine($"seed {Seed}, {Targets.Sum(t => t.Run)} cases in {Seconds:F0} s, per-case memory bound {MemoryBoundMiB} MiB; failures: {Failures}");
        foreach (var t in Targets)
        {
            foreach (var n in t.Notes) w.WriteLine($"note ({t.Target}): {n}");
            foreach (var (name, c) in t.Classes.OrderByDescending(c => c.Value.Count))
                w.WriteLine($"  {t.Target} ×{c.Count} {name} — first case {c.FirstCase} (replay: fuzz --targets {t.Target} --seed {Seed} --only {c.FirstCase}): {c.Detail}");
        }
    }
}

/// <summary>Runs one target's cases in child processes, restarting after a crash, a hang or a memory failure.</summary>
internal sealed class Supervisor(string target, int cases, FuzzCommand.Settings s, TimeSpan budget)
{
    private readonly TargetReport report = new(target) { Planned = cases };

    public TargetReport Run()
    {
        var deadline = DateTime.UtcNow + budget;
        var failures = Path.Combine(s.Out, "failures");
        int next = 0;
        while (next < cases && DateTime.UtcNow < deadline)
        {
            var work = Path.Combine(s.Work, target);
            if (Directory.Exists(work)) Directory.Delete(work, true);
            next = RunChild(next, deadline, work, failures);
        }
        if (next < cases) report.Notes.Add($"time limit reached after {report.Run} of {cases} cases");
        if (target == "readers" && !Tools.HasFfmpeg) report.Notes.Add("ffmpeg not on PATH: WAV seeds replaced by text seeds");
        return report;
    }

    /// <summary>One child from case <paramref name="from"/>; returns the next case to run.</summary>
    private int RunChild(int from, DateTime deadline, string work, string failures)
    {
        var self = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(self)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Under `dotnet CrossMedia.Bench.dll` the process path is dotnet itself.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(FuzzCommand).Assembly.Location);
        foreach (var arg in new[] { "fuzz-worker", "--target", target, "--seed", s.Seed.ToString(CultureInfo.InvariantCulture),
                     "--from", from.ToString(CultureInfo.InvariantCulture), "--to", cases.ToString(CultureInfo.InvariantCulture),
                     "--seconds", ((int)Math.Max(1, (deadline - DateTime.UtcNow).TotalSeconds)).ToString(CultureInfo.InvariantCulture),
                     "--memory-mb", (s.MemoryKiB / 1024).ToString(CultureInfo.InvariantCulture), "--work", work, "--failures", failures })
            psi.ArgumentList.Add(arg);
        // Managed allocations past the bound fail fast instead of taking the shared machine's memory.
        psi.Environment["DOTNET_GCHeapHardLimit"] = "0x" + ((s.MemoryKiB + (512L << 10)) * 1024).ToString("X", CultureInfo.InvariantCulture);
        using var child = Process.Start(psi)!;
        var lines = new BlockingCollection<string?>();
        var stderr = new Queue<string>();
        child.OutputDataReceived += (_, e) => lines.Add(e.Data);
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) { stderr.Enqueue(e.Data); if (stderr.Count > 40) stderr.Dequeue(); } };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        int next = from, pending = -1;
        string label = "";
        long baseline = 0;
        var started = Stopwatch.StartNew();
        var startup = TimeSpan.FromSeconds(120);
        while (true)
        {
            if (lines.TryTake(out var line, 100))
            {
                if (line is null) break; // stdout closed: the child ended
                var parts = line.Split(' ', 4);
                switch (parts[0])
                {
                    case "ready": baseline = long.Parse(parts[1], CultureInfo.InvariantCulture); break;
                    case "start": pending = int.Parse(parts[1], CultureInfo.InvariantCulture); started.Restart(); label = ""; break;
                    case "label": label = line[6..] + ": "; break;
                    case "done":
                        var (cls, detail) = SplitTab(parts[3]);
                        report.Add(int.Parse(parts[1], CultureInfo.InvariantCulture), new CaseResult(Enum.Parse<Outcome>(parts[2]), cls, detail));
                        next = int.Parse(parts[1], CultureInfo.InvariantCulture) + 1;
                        pending = -1;
                        break;
                    case "check":
                        var (ccls, cdetail) = SplitTab(parts[3]);
                        report.Add(next, new CaseResult(Enum.Parse<Outcome>(parts[2]), $"{parts[1]}: {ccls}", cdetail), check: true);
                        break;
                    case "end":
                        next = int.Parse(parts[1], CultureInfo.InvariantCulture);
                        report.PeakRssMiB = Math.Max(report.PeakRssMiB, long.Parse(parts[2], CultureInfo.InvariantCulture) / 1024);
                        break;
                }
                continue;
            }
            long rss = child.HasExited ? 0 : FuzzUtil.StatusKiB("VmRSS", child.Id);
            if (!child.HasExited) report.PeakRssMiB = Math.Max(report.PeakRssMiB, FuzzUtil.StatusKiB("VmHWM", child.Id) / 1024);
            string? kill = null;
            CaseResult result = default;
            if (pending >= 0 && started.Elapsed > s.CaseTimeout)
            {
                kill = "hang";
                result = new CaseResult(Outcome.Hang, $"{label}no answer within {s.CaseTimeout.TotalSeconds:F0} s", StackHint(child.Id));
            }
            else if (pending >= 0 && baseline > 0 && rss - baseline > s.MemoryKiB + (512L << 10))
            {
                kill = "memory";
                result = new CaseResult(Outcome.Memory, $"{label}resident memory past {(s.MemoryKiB >> 10) + 512} MiB above start", $"RSS {rss / 1024} MiB when killed");
            }
            else if (pending < 0 && started.Elapsed > startup)
            {
                kill = "startup";
                report.Notes.Add($"a worker did not start within {startup.TotalSeconds} s; stopped");
            }
            if (kill is not null)
            {
                try { child.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                child.WaitForExit();
                if (pending < 0) return cases;
                FuzzCommand.KeepFiles(Path.Combine(work, pending.ToString(CultureInfo.InvariantCulture)), Path.Combine(failures, $"{target}-{pending}"));
                report.Add(pending, result);
                report.Restarts++;
                return pending + 1;
            }
        }
        child.WaitForExit();
        if (pending >= 0)
        {
            // The child died inside a case: a native abort or an unhandled exception on another thread.
            string tail;
            lock (stderr) tail = string.Join(" / ", stderr.Where(l => l.Trim().Length > 0).Take(6));
            var signal = child.ExitCode > 128 ? $" (signal {child.ExitCode - 128})" : "";
            FuzzCommand.KeepFiles(Path.Combine(work, pending.ToString(CultureInfo.InvariantCulture)), Path.Combine(failures, $"{target}-{pending}"));
            report.Add(pending, new CaseResult(Outcome.Crash, $"{label}process exit {child.ExitCode}{signal}: {FirstLine(stderr)}", CaseResult.Short(tail)));
            report.Restarts++;
            return pending + 1;
        }
        if (child.ExitCode == 3) report.Restarts++;
        else if (child.ExitCode != 0)
        {
            lock (stderr) report.Notes.Add($"worker exit {child.ExitCode} between cases: {CaseResult.Short(string.Join(" / ", stderr.Take(6)))}");
            return cases;
        }
        return next;
    }

    private static string FirstLine(Queue<string> stderr)
    {
        lock (stderr)
        {
            var line = stderr.FirstOrDefault(l => l.Contains("Exception", StringComparison.Ordinal) || l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? stderr.FirstOrDefault() ?? "";
            return CaseResult.Short(line.Length > 120 ? line[..120] : line);
        }
    }

    /// <summary>Where the child's main thread waits (its kernel wait channel), for hang reports.</summary>
    private static string StackHint(int pid)
    {
        try { return "wchan " + File.ReadAllText($"/proc/{pid}/wchan"); }
        catch (IOException) { return ""; }
    }

    private static (string, string) SplitTab(string s)
    {
        int tab = s.IndexOf('\t');
        return tab < 0 ? (s, "") : (s[..tab], s[(tab + 1)..]);
    }
}
