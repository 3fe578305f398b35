using System.Text.RegularExpressions;

namespace CrossMedia.Core;

/// <summary>
/// Writes files so that a reader sees either the old or the new content, never a torn file:
/// write to a temporary file in the same folder, flush to disk, rename over the target, then
/// flush the folder (<see cref="Posix.SyncDirectory"/>) so the rename itself survives a power cut.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $"{TempPrefix(full)}{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
            Posix.SyncDirectory(dir);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(text); });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>Temporary files that writes of <paramref name="path"/> made (in progress, or left behind by a killed process).</summary>
    public static IReadOnlyList<string> TempsOf(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) return [];
        var ours = new Regex("^" + Regex.Escape(TempPrefix(full)) + @"\d+\.[0-9a-f]{32}\.tmp$");
        return Directory.EnumerateFiles(dir, TempPrefix(full) + "*.tmp").Where(f => ours.IsMatch(Path.GetFileName(f))).ToArray();
    }

    /// <summary>Deletes <see cref="TempsOf"/> <paramref name="path"/>: only for callers that know no write of it is in
    /// progress (they hold its writer lock), so every one was left by a process that died mid-write.</summary>
    public static void DeleteStaleTemps(string path)
    {
        foreach (var tmp in TempsOf(path))
        {
            try { File.Delete(tmp); }
            catch (IOException) { }  // gone already: harmless
            catch (UnauthorizedAccessException) { }  // not ours to delete: left as it was
        }
    }

    private static string TempPrefix(string fullPath) => $".{Path.GetFileName(fullPath)}.";
}
