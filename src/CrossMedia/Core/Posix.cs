using System.Runtime.InteropServices;

namespace CrossMedia.Core;

/// <summary>The few libc calls .NET has no API for (Linux; elsewhere they do nothing).</summary>
internal static partial class Posix
{
    /// <summary>Flushes a folder's entries (a rename, a new or deleted file) to disk. .NET cannot open a
    /// folder as a stream, so this is open(2) + fsync(2). Best effort: the files' data is already on disk.</summary>
    public static void SyncDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux()) return;
        int fd = Open(dir, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try { _ = Fsync(fd); }
        finally { _ = Close(fd); }
    }

    /// <summary>Up to <paramref name="max"/> bytes from the start of a file, read without .NET's advisory
    /// lock (opening a file that another process holds with FileShare.None fails in .NET); null on failure.</summary>
    public static unsafe byte[]? ReadPrefix(string path, int max)
    {
        if (!OperatingSystem.IsLinux()) return null;
        int fd = Open(path, 0);
        if (fd < 0) return null;
        try
        {
            var buffer = new byte[max];
            nint n;
            fixed (byte* p = buffer) n = Read(fd, p, (nuint)max);
            return n < 0 ? null : buffer[..(int)n];
        }
        finally { _ = Close(fd); }
    }

    [LibraryImport("libc.so.6", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "read")]
    private static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc.so.6", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int Close(int fd);
}
