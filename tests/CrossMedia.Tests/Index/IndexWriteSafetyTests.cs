using CrossMedia.Core;
using CrossMedia.Index;
using CrossMedia.Tests.Cli;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Index;

/// <summary>Several writers on one index (processes and instances), limits checked before writing, damaged logs.</summary>
public sealed class IndexWriteSafetyTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cm-writes-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Where a log's first record starts: after magic, version, base hash and the header's SHA-256.</summary>
    private const int FirstRecord = 8 + 4 + 64 + 32;

    private static readonly IndexHeader Header = new("test", "abc", 4, Metric.InnerProduct, ["image", "text"], ["a", "b", "c"]);

    private string Build(int n = 20)
    {
        var path = Path.Combine(dir, "w.cmidx");
        using var index = EmbeddingIndex.Create(Header);
        index.Add(Enumerable.Range(0, n).Select(i => new NewItem($"k{i}", "image")).ToArray(), Row(n, 1));
        index.Save(path);
        return path;
    }

    private static Matrix Row(int rows, float value)
    {
        var m = new Matrix(rows, 4);
        Array.Fill(m.Data, value);
        return m;
    }

    private static long[] Ids(string path)
    {
        using var index = EmbeddingIndex.Open(path);
        return index.Items().Select(i => i.Id).ToArray();
    }

    [Fact]
    public void TwoInstances_Should_KeepEachOthersChanges_AndSeeThem()
    {
        // "serve" and "index remove" on one index: each change lands on top of the other's.
        var path = Build();
        using var server = EmbeddingIndex.Open(path);
        using (var cli = EmbeddingIndex.Open(path)) Assert.Equal(1, cli.Remove([5L]));
        Assert.Null(server.Get(5));  // the server sees the other writer's removal without a restart
        Assert.Equal(1, server.Remove([7L]));
        var added = server.Add([new NewItem("new", "text")], Row(1, 2));
        Assert.Equal(20L, added[0].Id);
        using (var cli = EmbeddingIndex.Open(path)) Assert.Equal(21L, cli.Add([new NewItem("cli", "text")], Row(1, 3))[0].Id);
        Assert.Equal("cli", server.Get(21)!.Key);
        var ids = Ids(path);
        Assert.DoesNotContain(5L, ids);
        Assert.DoesNotContain(7L, ids);
        Assert.Contains(20L, ids);
        Assert.Contains(21L, ids);
    }

    [Fact]
    public void Compaction_ByAnotherInstance_Should_NotLoseLaterAdds()
    {
        // POST /items, CLI compact, POST /items: the second add must survive a restart.
        var path = Build();
        using var server = EmbeddingIndex.Open(path);
        server.Add([new NewItem("first", "text")], Row(1, 2));
        using (var cli = EmbeddingIndex.Open(path))
        {
            cli.Remove([3L]);
            cli.Save(path);
        }
        Assert.False(File.Exists(path + ".log"));
        Assert.Null(server.Get(3));  // the server reads the compacted file
        Assert.Equal(20, server.Count);
        server.Add([new NewItem("second", "text")], Row(1, 3));
        using var reopened = EmbeddingIndex.Open(path);
        Assert.Equal(21, reopened.Count);
        Assert.Equal("first", reopened.Get(20)!.Key);
        Assert.Equal("second", reopened.Get(21)!.Key);
    }

    [Fact]
    public void Add_Should_RefuseOversizedStrings_BeforeWritingAnything()
    {
        var path = Build();
        using (var index = EmbeddingIndex.Open(path))
        {
            var longText = new string('x', IndexFile.MaxStringBytes + 1);
            foreach (var item in new[] { new NewItem(longText, "text"), new NewItem("k", longText), new NewItem("k", "text", -1, longText) })
            {
                var e = Assert.Throws<InputException>(() => index.Add([item], Row(1, 1)));
                Assert.Contains($"at most {IndexFile.MaxStringBytes} bytes", e.Message);
            }
            Assert.False(File.Exists(path + ".log"));
            index.Add([new NewItem("after", "text")], Row(1, 1));
        }
        using (var index = EmbeddingIndex.Open(path)) Assert.Equal("after", index.Get(20)!.Key);
    }

    [Fact]
    public void Add_Should_RefuseMoreMediaThanAnIndexHolds_SoCompactionStaysReadable()
    {
        var path = Build(1);  // saved with one medium ("image"; "text" had no items)
        static NewItem[] Media(int from, int count) => Enumerable.Range(from, count).Select(i => new NewItem($"k{i}", $"medium{i}")).ToArray();
        using (var index = EmbeddingIndex.Open(path))
        {
            var e = Assert.Throws<InputException>(() => index.Add(Media(0, 1030), Row(1030, 1)));
            Assert.Contains($"at most {IndexFile.MaxMedia}", e.Message);
            Assert.False(File.Exists(path + ".log"));
            index.Add(Media(0, IndexFile.MaxMedia - 1), Row(IndexFile.MaxMedia - 1, 1));
            Assert.Throws<InputException>(() => index.Add(Media(5000, 1), Row(1, 1)));
            index.Add([new NewItem("known medium", "medium7")], Row(1, 1));
            index.Save(path);
        }
        using (var index = EmbeddingIndex.Open(path))
        {
            Assert.Equal(IndexFile.MaxMedia + 1, index.Count);
            Assert.Equal(IndexFile.MaxMedia, index.Header.Media.Count);
        }
    }

    [Fact]
    public void Open_Should_Refuse_ADamagedRecordFollowedByValidOnes_ButCutATornTail()
    {
        var path = Build();
        using (var index = EmbeddingIndex.Open(path))
            for (int i = 0; i < 3; i++) index.Add([new NewItem($"n{i}", "text")], Row(1, i));
        var log = path + ".log";
        var good = File.ReadAllBytes(log);
        const int firstRecord = FirstRecord;
        foreach (int offset in new[] { firstRecord + 1, firstRecord + 20, firstRecord + 4 + 9 })  // length, payload, medium length
        {
            var bad = (byte[])good.Clone();
            bad[offset] ^= 0x04;
            File.WriteAllBytes(log, bad);
            var e = Assert.Throws<InputException>(() => EmbeddingIndex.Open(path).Dispose());
            Assert.StartsWith(log, e.Message);
            Assert.Contains($"byte {firstRecord}", e.Message);
        }
        // A flipped bit in the last record looks like an interrupted write: dropped, and the next append cuts it off.
        var torn = (byte[])good.Clone();
        torn[^40] ^= 0x04;
        File.WriteAllBytes(log, torn);
        using (var index = EmbeddingIndex.Open(path))
        {
            Assert.Equal(22, index.Count);
            Assert.Equal(22L, index.Add([new NewItem("z", "text")], Row(1, 9))[0].Id);
        }
        Assert.Equal(23, Ids(path).Length);
    }

    [Fact]
    public void Open_Should_RefuseADamagedLogHeader_ButIgnoreAnIntactStaleOne()
    {
        // Damage to the base hash used to make the log look stale (left over from a compaction): silently ignored.
        var path = Build();
        using (var index = EmbeddingIndex.Open(path))
        {
            index.Add([new NewItem("n", "text")], Row(1, 1));
            index.Remove([3L]);
        }
        var log = path + ".log";
        var good = File.ReadAllBytes(log);
        var damages = new List<byte[]>();
        foreach (int offset in new[] { 8, 29, 33, 60, 75, 90 })  // version, base hash, the header's checksum
        {
            var flipped = (byte[])good.Clone();
            flipped[offset] ^= 0x10;
            damages.Add(flipped);
        }
        damages.Add([.. good[..70], .. new byte[9], .. good[70..]]);  // bytes inserted into the base hash
        damages.Add([.. good[..52], .. good[60..]]);  // bytes deleted from it
        foreach (var bad in damages)
        {
            File.WriteAllBytes(log, bad);
            var e = Assert.Throws<InputException>(() => EmbeddingIndex.Open(path).Dispose());
            Assert.StartsWith($"{log}: ", e.Message);
            Assert.Contains("move the log aside to open the index without its changes", e.Message);
        }
        // An intact header naming an older index file (a crash between a compaction's rename and the log's delete) is stale.
        File.WriteAllBytes(log, good);
        using (var index = EmbeddingIndex.Open(path)) index.Save(path);
        File.WriteAllBytes(log, good);
        using (var index = EmbeddingIndex.Open(path))
        {
            Assert.True(index.LogStatus.Stale);
            Assert.Equal(20, index.Count);
            Assert.Equal("n", index.Get(20)!.Key);
            Assert.Null(index.Get(3));
        }
    }

    [Fact]
    public void Open_Should_ReplayAVersion1Log_WithoutAHeaderChecksum()
    {
        var path = Build();
        using (var index = EmbeddingIndex.Open(path)) index.Add([new NewItem("n", "text")], Row(1, 1));
        var log = path + ".log";
        var v2 = File.ReadAllBytes(log);
        byte[] v1 = [.. v2[..76], .. v2[FirstRecord..]];  // a log written before the header had its checksum
        BitConverter.GetBytes(1u).CopyTo(v1, 8);
        File.WriteAllBytes(log, v1);
        using (var index = EmbeddingIndex.Open(path))
        {
            Assert.Equal("n", index.Get(20)!.Key);
            index.Add([new NewItem("m", "text")], Row(1, 2));  // appended to the version-1 log as it is
        }
        Assert.Equal(1u, BitConverter.ToUInt32(File.ReadAllBytes(log), 8));
        Assert.Equal(22, Ids(path).Length);
    }

    [Fact]
    public void Add_Should_RefuseALoneSurrogate_InsteadOfStoringAReplacementCharacter()
    {
        var path = Build();
        using var index = EmbeddingIndex.Open(path);
        var e = Assert.Throws<InputException>(() => index.Add([new NewItem("ab\ud800c", "text")], Row(1, 1)));
        Assert.Equal("item: key: expected valid Unicode text, found a lone surrogate at character 2", e.Message);
        e = Assert.Throws<InputException>(() => index.Add([new NewItem("k", "te\udc00xt")], Row(1, 1)));
        Assert.Equal("item: medium: expected valid Unicode text, found a lone surrogate at character 2", e.Message);
        e = Assert.Throws<InputException>(() => index.Add([new NewItem("k", "text", -1, "src\ud83d")], Row(1, 1)));
        Assert.Equal("item: source: expected valid Unicode text, found a lone surrogate at character 3", e.Message);
        e = Assert.Throws<InputException>(() => EmbeddingIndex.Create(Header with { ClassNames = ["a", "\udfff"] }));
        Assert.Contains("class name: expected valid Unicode text, found a lone surrogate at character 0", e.Message);
        Assert.False(File.Exists(path + ".log"));  // nothing was written
        var pair = index.Add([new NewItem("emoji \ud83d\ude00", "text")], Row(1, 1))[0];  // a valid surrogate pair is text
        using var reopened = EmbeddingIndex.Open(path);
        Assert.Equal("emoji \ud83d\ude00", reopened.Get(pair.Id)!.Key);
    }

    [Fact]
    public async Task TwoProcesses_WritingAtOnce_Should_LoseNothing()
    {
        var path = Build(200);
        // Child processes remove ids 0..119 (one write each of 20 ids) while this process adds items one by one.
        var children = Enumerable.Range(0, 6).Select(c => CliProcess.Start(
            new[] { "index", "remove", "--index", path, "--id", string.Join(",", Enumerable.Range(c * 20, 20)) })).ToList();
        var outputs = children.Select(c => (Out: c.StandardOutput.ReadToEndAsync(), Err: c.StandardError.ReadToEndAsync())).ToList();
        using (var index = EmbeddingIndex.Open(path))
        {
            for (int i = 0; i < 60 || children.Any(c => !c.HasExited); i++)
                index.Add([new NewItem($"a{i}", "text")], Row(1, i));
        }
        for (int i = 0; i < children.Count; i++)
        {
            Assert.True(children[i].WaitForExit(TimeSpan.FromMinutes(2)));
            string stdout = await outputs[i].Out, stderr = await outputs[i].Err;
            output.WriteLine(stdout + stderr);
            Assert.True(children[i].ExitCode == 0, stderr);
            Assert.Contains("removed 20 item(s)", stdout);
        }
        var ids = Ids(path);
        Assert.DoesNotContain(ids, id => id < 120);
        Assert.Equal(Enumerable.Range(120, 80).Select(i => (long)i), ids.Where(id => id < 200));
        var added = ids.Where(id => id >= 200).ToArray();
        Assert.True(added.Length >= 60);
        Assert.Equal(Enumerable.Range(200, added.Length).Select(i => (long)i), added);
    }

    [Fact]
    public void Change_Should_WaitForTheLockHolder_ThenSayWhoHoldsIt()
    {
        var path = Build();
        using var index = EmbeddingIndex.Open(path);
        index.LockWait = TimeSpan.Zero;
        using (IndexLock.Acquire(path, TimeSpan.Zero))
        {
            var e = Assert.Throws<IndexBusyException>(() => index.Remove([1L]));
            Assert.Equal($"{path}: in use by this process (pid {Environment.ProcessId}), which is writing it (adding, removing, compacting or building); " +
                "try again when it has finished", e.Message);
            Assert.Throws<IndexBusyException>(() => index.Save(path));
            Assert.NotNull(index.Get(1));
        }
        Assert.Equal(1, index.Remove([1L]));
    }

    [Fact]
    public void Info_Should_ReportLogDamage_AndTornTails_Truthfully()
    {
        var path = Build();
        using (var index = EmbeddingIndex.Open(path))
            for (int i = 0; i < 2; i++) index.Add([new NewItem($"n{i}", "text")], Row(1, i));
        var log = path + ".log";
        var good = File.ReadAllBytes(log);
        var ok = CliHarness.Run("index", "info", "--index", path);
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Contains("log: 2 record(s) replayed", ok.Out);
        Assert.Contains("checksums: ok", ok.Out);

        var damaged = (byte[])good.Clone();
        damaged[FirstRecord + 30] ^= 0x80;
        File.WriteAllBytes(log, damaged);
        var bad = CliHarness.Run("index", "info", "--index", path);
        Assert.Equal(2, bad.Code);
        Assert.DoesNotContain("checksums: ok", bad.Out);
        Assert.Contains($"{log}: record at byte {FirstRecord}", bad.Err);
        Assert.Single(bad.Err.Trim().Split('\n'));

        File.WriteAllBytes(log, good[..^7]);
        var torn = CliHarness.Run("index", "info", "--index", path);
        Assert.True(torn.Code == 0, torn.Err);
        Assert.Contains("log: 1 record(s) replayed", torn.Out);
        int recordBytes = (good.Length - FirstRecord) / 2;  // two records of one size
        Assert.Contains($"log: {recordBytes - 7} byte(s) of an interrupted write", torn.Out);
    }

    [Fact]
    public void Open_Should_NameARecordThatBreaksALimit_WrittenByAnOlderVersion()
    {
        // Older versions appended a key over 64 KiB without complaint and then dropped it and every later record.
        var path = Build();
        using (var index = EmbeddingIndex.Open(path)) index.Add([new NewItem("before", "text")], Row(1, 1));
        var log = path + ".log";
        int oversized = (int)new FileInfo(log).Length;
        var payload = new MemoryStream();
        var w = new BinaryWriter(payload);
        w.Write((byte)1); w.Write(21L);
        foreach (var (text, label) in new[] { ("text", (int?)-1), (new string('k', 70_000), null), ("", null) })
        {
            w.Write(System.Text.Encoding.UTF8.GetByteCount(text)); w.Write(System.Text.Encoding.UTF8.GetBytes(text));
            if (label is { } l) w.Write(l);
        }
        w.Write(4u); foreach (var x in new float[] { 1, 2, 3, 4 }) w.Write(x);
        var bytes = payload.ToArray();
        using (var fs = new FileStream(log, FileMode.Append))
        {
            fs.Write(BitConverter.GetBytes(bytes.Length));
            fs.Write(bytes);
            fs.Write(System.Security.Cryptography.SHA256.HashData(bytes));
        }
        var e = Assert.Throws<InputException>(() => EmbeddingIndex.Open(path).Dispose());
        Assert.Equal($"{log}: record at byte {oversized}: key length: expected at most {IndexFile.MaxStringBytes} bytes, found 70000", e.Message);
    }

    [Fact]
    public void Write_Should_RefuseWhatOpenWouldRefuse_BeforeCreatingTheFile()
    {
        var target = Path.Combine(dir, "never.cmidx");
        var media = Enumerable.Range(0, IndexFile.MaxMedia + 1).Select(i => $"m{i}").ToArray();
        var e = Assert.Throws<InputException>(() => IndexFile.Write(target, Header with { Media = media }, [], (_, _) => { }));
        Assert.Contains($"at most {IndexFile.MaxMedia} distinct media", e.Message);
        Assert.Throws<InputException>(() => IndexFile.Write(target, Header, [new IndexItem(0, "k", "image", 3, "")], (_, _) => { }));
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.EnumerateFiles(dir));
    }

    [Fact]
    public void Compaction_Should_NeverHandOutARemovedIdAgain()
    {
        // Another process removes and compacts the newest item: /items/{id} must not come to mean another item.
        var path = Build();
        using var server = EmbeddingIndex.Open(path);
        Assert.Equal(20L, server.Add([new NewItem("newest", "text")], Row(1, 1))[0].Id);
        using (var cli = EmbeddingIndex.Open(path))
        {
            cli.Remove([20L]);
            cli.Save(path);
        }
        Assert.Equal(21L, server.Add([new NewItem("next", "text")], Row(1, 2))[0].Id);
        using var reopened = EmbeddingIndex.Open(path);
        Assert.Null(reopened.Get(20));
        Assert.Equal(22L, reopened.Add([new NewItem("after reopen", "text")], Row(1, 3))[0].Id);
    }

    [Fact]
    public void Open_Should_ReadFilesFromBeforeNextIdAndGeneration()
    {
        // Files written before bytes 48..63 held the next id and a generation had zeros there.
        var path = Build();
        var bytes = File.ReadAllBytes(path);
        Array.Clear(bytes, 48, 16);
        long metaLength = BitConverter.ToInt64(bytes, 16);
        var headerHash = System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, 64 + (int)metaLength));
        headerHash.CopyTo(bytes, bytes.Length - IndexFile.TrailerBytes);
        File.WriteAllBytes(path, bytes);
        using var index = EmbeddingIndex.Open(path);
        Assert.Equal(20, index.Count);
        Assert.Equal(20L, index.Add([new NewItem("next", "text")], Row(1, 1))[0].Id);
    }
}
