using System.Runtime.InteropServices;

namespace CrossMedia.Core;

/// <summary>The few native file calls .NET has no API for (Linux; elsewhere they do nothing).</summary>
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

    /// <summary>
    /// stat(2) with symbolic links followed: 0 and the file's mode (POSIX type and permission bits) and size,
    /// or the errno. Through the .NET runtime's own native shim (libSystem.Native, shipped with every Unix
    /// runtime), whose FileStatus layout is the same on every platform, unlike libc's struct stat; the
    /// managed file APIs tell neither FIFOs nor devices from files.
    /// </summary>
    public static int Stat(string path, out int mode, out long size)
    {
        if (SystemNativeStat(path, out var status) != 0)
        {
            (mode, size) = (0, 0);
            return Marshal.GetLastPInvokeError();
        }
        (mode, size) = (status.Mode, status.Size);
        return 0;
    }

    [StructLayout(LayoutKind.Explicit, Size = 256)] // larger than FileStatus in any runtime version
    private struct FileStatus
    {
        [FieldOffset(4)] public int Mode;
        [FieldOffset(16)] public long Size;
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SystemNativeStat(string path, out FileStatus status);

    [LibraryImport("libc.so.6", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "read")]
    private static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc.so.6", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int Close(int fd);
}
