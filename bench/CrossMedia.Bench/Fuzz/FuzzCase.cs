using System.Diagnostics;
using System.Text;

namespace CrossMedia.Bench.Fuzz;

/// <summary>
/// What one generated case did. Ok and Clean are the expected outcomes; Message and Torn are reported but
/// do not fail the run; every other outcome is a failure (the run exits non-zero).
/// </summary>
public enum Outcome
{
    /// <summary>Accepted and correct.</summary>
    Ok,
    /// <summary>Refused with a one-line user error (what the CLI prints and exits 2 for, or an HTTP 4xx).</summary>
    Clean,
    /// <summary>A clean error whose message is not one short line (raw file content quoted, control characters).</summary>
    Message,
    /// <summary>Log records dropped by the documented torn-tail rule: the damage reached the last record (or truncation
    /// cut it), which a reader cannot tell from an interrupted write; every record before the damage is there. Reported, not a failure.</summary>
    Torn,
    /// <summary>An exception the CLI would print with a stack trace (exit 134), a native abort, or an HTTP 5xx.</summary>
    Crash,
    /// <summary>No answer within the per-case timeout.</summary>
    Hang,
    /// <summary>Peak memory grew past the per-case bound.</summary>
    Memory,
    /// <summary>An item that was committed, and whose bytes were not damaged, is missing after reopening.</summary>
    Lost,
    /// <summary>A silently wrong result: damaged input accepted (changed content, undecodable media answered 2xx, a phantom item).</summary>
    Garbage,
}

/// <summary>The result of one case: its outcome, a class key that groups equal failures, and a one-line detail.</summary>
public readonly record struct CaseResult(Outcome Outcome, string Class, string Detail)
{
    public static CaseResult Ok(string cls = "ok") => new(Outcome.Ok, cls, "");

    public bool IsFailure => Outcome is not (Outcome.Ok or Outcome.Clean or Outcome.Message or Outcome.Torn);

    /// <summary>
    /// An exception thrown by library code: clean when the CLI turns it into one line
    /// (the rule of CrossMedia.Cli's CliRunner.UserMessage, restated here because the CLI is not a library),
    /// a memory failure for OutOfMemoryException, otherwise a crash classed by type and the first CrossMedia frame.
    /// </summary>
    public static CaseResult FromException(string what, Exception e)
    {
        var inner = Unwrap(e);
        if (inner is OutOfMemoryException) return new(Outcome.Memory, $"{what}: OutOfMemoryException at {Frame(inner)}", Short(inner.Message));
        if (inner is InputException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            var message = inner.Message;
            bool badMessage = message.Length > 400 || message.Any(c => char.IsControl(c));
            return badMessage
                ? new(Outcome.Message, $"{what}: {inner.GetType().Name} message {(message.Any(char.IsControl) ? "with control characters" : "over 400 characters")}", Short(message))
                : new(Outcome.Clean, $"{what}: {inner.GetType().Name}", Short(message));
        }
        return new(Outcome.Crash, $"{what}: {inner.GetType().Name} at {Frame(inner)}", Short(inner.Message));
    }

    private static Exception Unwrap(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerException!),
        System.Reflection.TargetInvocationException { InnerException: { } i } => Unwrap(i),
        _ => e,
    };

    /// <summary>The first stack frame in CrossMedia's own code (else the top frame): stable enough to group crashes.</summary>
    private static string Frame(Exception e)
    {
        var frames = new StackTrace(e, false).GetFrames();
        var methods = frames.Select(f => f.GetMethod()).Where(m => m is not null).ToArray();
        var own = methods.FirstOrDefault(m => m!.DeclaringType?.FullName?.StartsWith("CrossMedia.", StringComparison.Ordinal) == true
            && m.DeclaringType.FullName?.StartsWith("CrossMedia.Bench", StringComparison.Ordinal) != true) ?? methods.FirstOrDefault();
        return own is null ? "?" : $"{own.DeclaringType?.Name}.{own.Name}";
    }

    /// <summary>One line of at most 300 characters, control characters escaped.</summary>
    public static string Short(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text.Length > 300 ? text[..300] + "..." : text)
            sb.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c);
        return sb.ToString();
    }
}

/// <summary>A fuzz target: generates and runs case <c>index</c> from its own random stream, in a fresh folder.</summary>
public interface IFuzzTarget : IDisposable
{
    /// <summary>Set by the worker: a target calls it with what the case is (e.g. "readers npy") before the risky part,
    /// so a hang or a native crash of the case is reported with that label.</summary>
    static Action<string> Announce { get; set; } = _ => { };

    string Name { get; }
    CaseResult Run(int index, Random rng, string caseDir);
    /// <summary>Checks that run after the last case (service health, index reopened); empty by default.</summary>
    IEnumerable<(string Name, CaseResult Result)> Finish() => [];
}

/// <summary>Seeds, process memory and small helpers shared by the targets.</summary>
public static class FuzzUtil
{
    /// <summary>Case <paramref name="index"/>'s generator: independent of every other case, so a case can be replayed alone.</summary>
    public static Random CaseRandom(int seed, string target, int index)
    {
        ulong h = 0x9E3779B97F4A7C15UL * (ulong)(uint)seed;
        foreach (var c in target) h = (h ^ c) * 0x100000001B3UL;
        h ^= (ulong)(uint)index * 0xBF58476D1CE4E5B9UL;
        h ^= h >> 31; h *= 0x94D049BB133111EBUL; h ^= h >> 29;
        return new Random((int)(h & 0x7FFFFFFF));
    }

    /// <summary>A field of /proc/PID/status in KiB (VmRSS, VmHWM); 0 when unavailable.</summary>
    public static long StatusKiB(string field, int? pid = null)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{(pid is { } p ? p.ToString() : "self")}/status"))
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim());
        }
        catch (IOException) { }
        return 0;
    }

    public static T Pick<T>(this Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    public static bool Chance(this Random rng, double p) => rng.NextDouble() < p;

    public static byte[] Bytes(this Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    /// <summary>Short random words, sometimes with non-ASCII letters, spaces or punctuation.</summary>
    public static string Word(this Random rng, int maxLength = 10)
    {
        const string plain = "abcdefghijklmnopqrstuvwxyz";
        string[] odd = ["é", " ", "ü", "_", "-", ".", "ß", "中", "😀", "/", "\\", "'", "\""];
        int n = 1 + rng.Next(maxLength);
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.Append(rng.Chance(0.1) ? rng.Pick(odd) : plain[rng.Next(plain.Length)].ToString());
        return sb.ToString();
    }

    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from))
        {
            var info = new FileInfo(f);
            // Only regular, small files: special files (FIFOs, links) carry the "special-" prefix and are described by the case.
            if (!info.Name.StartsWith("special-", StringComparison.Ordinal) && info.LinkTarget is null && info.Length < 64 << 20) File.Copy(f, Path.Combine(to, Path.GetFileName(f)), true);
        }
        foreach (var d in Directory.EnumerateDirectories(from))
            if (new DirectoryInfo(d).LinkTarget is null) CopyDirectory(d, Path.Combine(to, Path.GetFileName(d)));
    }
}
