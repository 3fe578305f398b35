using System.Diagnostics;
using CrossMedia.Core;
using CrossMedia.Data.Formats;
using CrossMedia.Index;

namespace CrossMedia.Tests.Index;

public sealed class CrashSafetyTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cm-crash-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Build_Should_LeaveThePreviousIndexIntact_AndNoTempOrLockAfterTheNextOpen_WhenKilledMidWrite()
    {
        // Given a small, valid index at the target path.
        var target = Path.Combine(dir, "crash.cmidx");
        using (var small = EmbeddingIndex.Create(new IndexHeader("", "", 64, Metric.InnerProduct, ["old"], [])))
        {
            small.Add([new NewItem("a", "old"), new NewItem("b", "old")], new Matrix(2, 64));
            small.Save(target);
        }
        var before = File.ReadAllBytes(target);

        // When a child process writing a much larger index over it is killed (SIGKILL) mid-write.
        var big = new Matrix(400_000, 64);
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(big.Data.AsSpan()));
        for (int i = 0; i < big.Data.Length; i++) if (!float.IsFinite(big.Data[i])) big.Data[i] = 0;
        var vectors = Path.Combine(dir, "big.npy");
        NpyFile.Write(vectors, big);
        var cli = Path.Combine(AppContext.BaseDirectory, "CrossMedia.Cli.dll");
        bool killedMidWrite = false;
        for (int attempt = 0; attempt < 3 && !killedMidWrite; attempt++)
        {
            var child = Process.Start(new ProcessStartInfo("dotnet", [cli, "index", "build", "--vectors", vectors, "--out", target, "--metric", "ip"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            var watch = Stopwatch.StartNew();
            while (!child.HasExited && watch.Elapsed < TimeSpan.FromSeconds(60))
            {
                var tmp = Directory.EnumerateFiles(dir, ".crash.cmidx.*.tmp").FirstOrDefault();
                if (tmp is not null && SafeLength(tmp) > 8 << 20)
                {
                    // Freeze the child, confirm it is mid-write (temp file present, target untouched), then SIGKILL it.
                    Assert.Equal(0, Kill(child.Id, SigStop));
                    killedMidWrite = File.Exists(tmp) && File.ReadAllBytes(target).AsSpan().SequenceEqual(before);
                    if (killedMidWrite)
                    {
                        // The writer holds the index's lock: another writer is told who, and its temp file is not touched.
                        using var during = EmbeddingIndex.Open(target);
                        during.LockWait = TimeSpan.Zero;
                        var busy = Assert.Throws<IndexBusyException>(() => during.Remove([0L]));
                        Assert.Contains($"in use by process {child.Id}", busy.Message);
                        Assert.True(File.Exists(tmp));
                    }
                    break;
                }
                Thread.Sleep(1);
            }
            Kill(child.Id, SigKill);  // no cleanup runs
            child.WaitForExit();
            if (!killedMidWrite) File.WriteAllBytes(target, before);  // it finished first: restore and try again
        }
        Assert.True(killedMidWrite, "could not catch the child in the middle of writing");

        // Then the previous index is untouched and loads; the partial file was only a stray temp file, and the
        // next open (the writer is dead, so its lock is gone) deletes it.
        Assert.Equal(before, File.ReadAllBytes(target));
        var leftover = Directory.EnumerateFiles(dir, ".crash.cmidx.*.tmp").Single();
        Assert.Throws<InputException>(() => IndexFile.Open(leftover).Dispose());
        using var index = EmbeddingIndex.Open(target);
        Assert.Equal(2, index.Count);
        Assert.Equal(["old"], index.Header.Media);
        Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp"));
        // kill -9 left no stale lock: the next writer goes ahead at once.
        index.LockWait = TimeSpan.Zero;
        Assert.Equal(1, index.Remove([0L]));
    }

    private const int SigKill = 9, SigStop = 19;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static long SafeLength(string path)
    {
        try { return new FileInfo(path).Length; }
        catch (IOException) { return 0; }
    }
}
