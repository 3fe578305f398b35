using System.Runtime.InteropServices;
using CrossMedia.Core;

namespace CrossMedia.Data.Formats;

/// <summary>
/// The door every user-named data file passes before it is opened: it must be an existing regular
/// file. A FIFO would block the open until a writer appears and a device such as /dev/zero never
/// ends, so both are refused by type rather than read; a symbolic link loop or a directory is named
/// as such instead of surfacing as an IOException.
/// </summary>
internal static class DataFile
{
    /// <summary>zlib/deflate cannot expand data by more than about 1032:1, so a larger claimed size is corrupt.</summary>
    public const long MaxDeflateRatio = 1032;

    /// <summary>
    /// Checks that <paramref name="path"/> (symbolic links followed) is a regular file and returns
    /// its length; otherwise throws an <see cref="InputException"/> whose expectation is
    /// <paramref name="expected"/> (e.g. "an existing .npy file").
    /// </summary>
    public static long Require(string path, string expected)
    {
        var (problem, length) = Check(path);
        return problem is null ? length : throw new InputException(path, "", expected, problem);
    }

    /// <summary>What is wrong with the path as a data file ("no such file", "a directory", ...; null when it is a regular file), and its length.</summary>
    public static (string? Problem, long Length) Check(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                int errno = Posix.Stat(path, out int mode, out long size);
                if (errno != 0)
                {
                    return (errno switch
                    {
                        ENOENT or ENOTDIR => "no such file",
                        ELOOP => "a symbolic link loop (too many levels of links)",
                        _ => Marshal.GetPInvokeErrorMessage(errno),
                    }, 0);
                }
                return (mode & S_IFMT) switch
                {
                    S_IFREG => (null, size),
                    S_IFDIR => ("a directory", 0),
                    S_IFIFO => ("a named pipe (FIFO), not a regular file", 0),
                    S_IFCHR => ("a character device, not a regular file", 0),
                    S_IFBLK => ("a block device, not a regular file", 0),
                    S_IFSOCK => ("a socket, not a regular file", 0),
                    _ => ("not a regular file", 0),
                };
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                // A runtime without the shim: fall back to what the managed API can tell.
            }
        }
        if (Directory.Exists(path)) return ("a directory", 0);
        return File.Exists(path) ? (null, new FileInfo(path).Length) : ("no such file", 0);
    }

    // POSIX file type bits and errno values (Linux).
    private const int S_IFMT = 0xF000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFDIR = 0x4000, S_IFBLK = 0x6000,
        S_IFREG = 0x8000, S_IFSOCK = 0xC000;
    private const int ENOENT = 2, ENOTDIR = 20, ELOOP = 40;
}
