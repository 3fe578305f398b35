using System.Security.Cryptography;
using System.Text;
using CrossMedia.Core;

namespace CrossMedia.Tests.Data;

public class ChecksumTests
{
    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Sha256Files_Should_HashSortedRelativePathsWithEachFilesDigest()
    {
        using var dir = new TempDir();
        var b = dir.File("b/c.txt", "two");
        var a = dir.File("a.txt", "one");
        // Computed independently: "one" and "two" hashed by SHA256 directly, lines sorted by path.
        var expected = Hex($"a.txt\t{Hex("one")}\nb/c.txt\t{Hex("two")}\n");
        Assert.Equal(expected, Checksum.Sha256Files([b, a, b], dir.Path)); // order and repeats do not matter
    }

    [Fact]
    public void Sha256Files_Should_ChangeWhenAFileChangesIsRenamedOrLeftOut()
    {
        using var dir = new TempDir();
        var a = dir.File("a.txt", "one");
        var b = dir.File("b.txt", "two");
        var before = Checksum.Sha256Files([a, b], dir.Path);
        Assert.NotEqual(before, Checksum.Sha256Files([a], dir.Path));
        File.WriteAllText(b, "twO");
        var edited = Checksum.Sha256Files([a, b], dir.Path);
        Assert.NotEqual(before, edited);
        var moved = Path.Combine(dir.Path, "c.txt");
        File.Move(b, moved);
        Assert.NotEqual(edited, Checksum.Sha256Files([a, moved], dir.Path));
    }
}
