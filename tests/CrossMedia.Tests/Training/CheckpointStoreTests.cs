using CrossMedia.Training;

namespace CrossMedia.Tests.Training;

public class CheckpointStoreTests
{
    [Fact]
    public void Save_Should_PointAtTheNewestCompleteCheckpointAndRemoveOlderOnes()
    {
        var dir = Directory.CreateTempSubdirectory("ckstore").FullName;
        try
        {
            var store = new CheckpointStore(dir);
            Assert.Null(store.Latest());
            store.Save(1, d => File.WriteAllText(Path.Combine(d, "x"), "one"));
            store.Save(2, d => File.WriteAllText(Path.Combine(d, "x"), "two"));
            Assert.Equal("two", File.ReadAllText(Path.Combine(store.Latest()!, "x")));
            Assert.Equal(["epoch-000002"], Directory.GetDirectories(dir).Select(Path.GetFileName));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Save_Should_LeaveThePreviousCheckpointInUseWhenWritingFails()
    {
        var dir = Directory.CreateTempSubdirectory("ckstore").FullName;
        try
        {
            var store = new CheckpointStore(dir);
            store.Save(1, d => File.WriteAllText(Path.Combine(d, "x"), "one"));
            // A crash while writing checkpoint 2 (here: an exception) must not touch the pointer.
            Assert.Throws<IOException>(() => store.Save(2, d => { File.WriteAllText(Path.Combine(d, "x"), "half"); throw new IOException("disk gone"); }));
            Assert.Equal("one", File.ReadAllText(Path.Combine(store.Latest()!, "x")));
            // The next save clears the half-written directory.
            store.Save(3, d => File.WriteAllText(Path.Combine(d, "x"), "three"));
            Assert.Equal(["epoch-000003"], Directory.GetDirectories(dir).Select(Path.GetFileName));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Latest_Should_RejectAPointerToAMissingCheckpoint()
    {
        var dir = Directory.CreateTempSubdirectory("ckstore").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, CheckpointStore.PointerFile), "{\"directory\":\"epoch-000009\"}");
            Assert.Throws<InputException>(() => new CheckpointStore(dir).Latest());
        }
        finally { Directory.Delete(dir, true); }
    }
    [Fact]
    public void Latest_Should_RefuseATruncatedOrBitFlippedCheckpoint_NamingTheFile_AndAcceptOneWithoutChecksums()
    {
        var dir = Directory.CreateTempSubdirectory("ckstore").FullName;
        try
        {
            var store = new CheckpointStore(dir);
            store.Save(1, d => File.WriteAllBytes(Path.Combine(d, "weights.bin"), Enumerable.Range(0, 100).Select(i => (byte)i).ToArray()));
            var weights = Path.Combine(store.Latest()!, "weights.bin");
            var good = File.ReadAllBytes(weights);

            var flipped = (byte[])good.Clone();
            flipped[57] ^= 0x10;
            File.WriteAllBytes(weights, flipped);
            var flip = Assert.Throws<InputException>(() => store.Latest());
            Assert.Contains(weights, flip.Message);
            Assert.Contains("checksum mismatch: the file is damaged", flip.Message);

            File.WriteAllBytes(weights, good[..60]);
            var cut = Assert.Throws<InputException>(() => store.Latest());
            Assert.Equal($"{weights}: size (the file is truncated or damaged): expected 100 bytes, found 60 bytes", cut.Message);

            // Checkpoints written before checksums existed are read as they are.
            File.Delete(Path.Combine(Path.GetDirectoryName(weights)!, CrossMedia.Core.FileChecksums.FileName));
            Assert.Equal(Path.GetDirectoryName(weights), store.Latest());
        }
        finally { Directory.Delete(dir, true); }
    }
}
