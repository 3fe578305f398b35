using System.Diagnostics;
using System.Text;
using CrossMedia.Core;

namespace CrossMedia.Index;

/// <summary>
/// One writer at a time per index: an exclusive OS lock on <c>INDEX.lock</c> beside the index (opened with
/// <see cref="FileShare.None"/>, which .NET maps to flock(2) on Linux), held by whoever appends to the log or
/// rewrites the index. The OS drops it when its holder exits in any way (kill -9 included), so a lock is never
/// stale; the file itself stays (deleting lock files races). It holds the holder's process id for the error.
/// </summary>
internal sealed class IndexLock : IDisposable
{
    private readonly FileStream _stream;
    private IndexLock(FileStream stream) => _stream = stream;

    public static string PathFor(string indexPath) => indexPath + ".lock";

    /// <summary>How .NET reports a held lock: flock's errno on Linux, ERROR_SHARING_VIOLATION on Windows.</summary>
    private const int EWouldBlock = 11, SharingViolation = unchecked((int)0x80070020);

    /// <summary>Takes the lock, waiting up to <paramref name="wait"/> for another writer to finish.</summary>
    /// <exception cref="IndexBusyException">another process (or instance) still holds it.</exception>
    public static IndexLock Acquire(string indexPath, TimeSpan wait)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (TryAcquire(indexPath) is { } taken) return taken;
            if (clock.Elapsed >= wait) throw new IndexBusyException(indexPath, Holder(indexPath));
            Thread.Sleep(20);
        }
    }

    /// <summary>The lock, or null when another writer holds it now.</summary>
    public static IndexLock? TryAcquire(string indexPath)
    {
        FileStream fs;
        try { fs = new FileStream(PathFor(indexPath), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException e) when (e.HResult is EWouldBlock or SharingViolation)
        {
            return null;  // held
        }
        try
        {
            fs.SetLength(0);
            fs.Write(Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            fs.Flush();
            return new IndexLock(fs);
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    /// <summary>The process id the holder wrote, or null when it cannot be read.</summary>
    private static int? Holder(string indexPath) =>
        Posix.ReadPrefix(PathFor(indexPath), 16) is { } b && int.TryParse(Encoding.ASCII.GetString(b), out int pid) ? pid : null;

    public void Dispose() => _stream.Dispose();
}

/// <summary>Another writer holds the index's <see cref="IndexLock"/> (a runtime condition, not bad input: retry later).</summary>
public sealed class IndexBusyException(string indexPath, int? pid) : IOException(
    $"{indexPath}: in use by {(pid is null ? "another process" : pid == Environment.ProcessId ? $"this process (pid {pid})" : $"process {pid}")}, " +
    "which is writing it (adding, removing, compacting or building); try again when it has finished")
{
    public int? Pid { get; } = pid;
}
