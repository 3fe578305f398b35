using System.Diagnostics;
using CrossMedia.Data;
using CrossMedia.Data.Formats;

namespace CrossMedia.Tests.Data;

/// <summary>Manifests that point at odd data: each gives one clear error naming the file and what was found.</summary>
public class ManifestFaultTests
{
    private static readonly DatasetLoadOptions NoVal = new() { ValFraction = 0 };

    [Fact]
    public void Load_Should_RejectFeaturesWithoutColumns()
    {
        // A 6×0 matrix passed `data inspect` and crashed CCA inside TorchSharp.
        using var f = new ManifestFixture();
        NpyFile.Write(Path.Combine(f.Dir.Path, "empty.npy"), new CrossMedia.Core.Matrix(6, 0));
        f.Write(f.Json("""
            "features": "empty.npy", "labels": "labels.txt", "split": "split.txt"
            """));
        var r = DatasetCatalog.LoadDetailed(f.Manifest, NoVal, throwOnErrors: false);
        var p = Assert.Single(r.Problems, x => x.Severity == ProblemSeverity.Error);
        Assert.Equal((ProblemKind.EmptyMedium, "image"), (p.Kind, p.Where));
        Assert.Contains("feature column", p.Message);
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal("found a 6×0 feature matrix", e.Message[e.Message.IndexOf("found", StringComparison.Ordinal)..]);
    }

    [Theory]
    [InlineData("labels.csv", "0\n1\n2\n10000000000\n1\n2\n")]
    [InlineData("labels.txt", "cat\ndog\nbird\n10000000000\ndog\nbird\n")]
    public void Load_Should_ReportAnOutOfRangeLabelAsWritten(string file, string text)
    {
        using var f = new ManifestFixture();
        f.Dir.File(file, text);
        f.Write(f.Json($$"""
            "features": "features.csv", "labels": "{{file}}", "split": "split.txt"
            """));
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal(Path.Combine(f.Dir.Path, file), e.Location);
        Assert.Equal("10000000000", e.Found); // was reported as 2147483647
        Assert.Contains("0..2", e.Expected);
    }

    [Theory]
    [InlineData("\"name\": \"tiny\"", "\"name\": \"\\ud800\"")]                    // a string field
    [InlineData("[\"cat\", \"dog\", \"bird\"]", "[\"cat\", \"\\udc00x\", \"bird\"]")]  // a class name
    [InlineData("\"image\": {", "\"\\ud800\": {")]                                 // a medium's name
    public void Load_Should_RefuseALoneSurrogateEscape_WithAnInputException(string from, string to)
    {
        // JSON may escape half of a surrogate pair; .NET cannot make a string of it and threw InvalidOperationException (found by the fuzz run).
        using var f = new ManifestFixture();
        f.Write(f.Json().Replace(from, to));
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal(f.Manifest, e.Location);
    }

    [Fact]
    public void Load_Should_RefuseAListFileLineWithANulCharacter()
    {
        // Path.GetFullPath threw ArgumentException "Null character in path" (found by the fuzz run).
        using var f = new ManifestFixture();
        f.Dir.File("sounds.list", "a.wav 0\nb\0.wav 1\nc.wav 2\nd.wav 2\n");
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal((Path.Combine(f.Dir.Path, "sounds.list"), "line 2"), (e.Location, e.Field));
    }

    [Fact]
    public void Load_Should_RefuseAMediumNameWithControlCharactersOrOver64Characters()
    {
        // A medium's name is part of every message about it: a control character or a 1 MiB name went into them raw.
        using var f = new ManifestFixture();
        foreach (var name in new[] { "im\\u001bage", new string('m', 65) })
        {
            f.Write(f.Json().Replace("\"image\": {", $"\"{name}\": {{"));
            var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
            Assert.Equal("media", e.Field);
            Assert.DoesNotContain(e.Message, c => char.IsControl(c));
        }
    }

    [Fact]
    public void Load_Should_QuoteBrokenJsonShortlyAndEscaped()
    {
        // The parser's message quotes the bad token: a 64 KiB token and raw control bytes went into the message whole.
        using var f = new ManifestFixture();
        File.WriteAllText(f.Manifest, "{\"paired\": fal" + new string('x', 65536) + "\u0001\u001b[31m}");
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.True(e.Message.Length < f.Manifest.Length + 200, e.Message);
        Assert.DoesNotContain(e.Message, c => char.IsControl(c));
        File.WriteAllText(f.Manifest, "{\"paired\": \u0001}");
        e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.DoesNotContain(e.Message, c => char.IsControl(c));
    }

    [Fact]
    public void Load_Should_CallANullFieldNull()
    {
        using var f = new ManifestFixture();
        f.Write(f.Json().Replace("\"name\": \"tiny\"", "\"name\": \"tiny\", \"paired\": null"));
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal(("paired", "null"), (e.Field, e.Found)); // was "found " (empty)
    }

    [Fact]
    public void Load_Should_QuoteOnlyAShortEscapedExcerptOfADataFile()
    {
        // A labels "file" that is something else entirely (a secret, a binary): its first line was printed whole.
        using var f = new ManifestFixture();
        var secret = "\u001b[31mtoken=" + new string('s', 500) + "\n";
        f.Dir.File("labels.txt", secret + secret);
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal(Path.Combine(f.Dir.Path, "labels.txt"), e.Location);
        Assert.StartsWith(@"'\x1b[31mtoken=sss", e.Found);
        Assert.EndsWith("…'", e.Found);
        Assert.True(e.Found.Length <= InputException.ExcerptLength + 6, e.Found);
        Assert.DoesNotContain('\u001b', e.Message);
    }

    [Fact]
    public void Excerpt_Should_ShortenAndEscape()
    {
        Assert.Equal("'abc'", InputException.Excerpt("abc"));
        Assert.Equal(@"'a\tb\nc\\d\x00\u202e'", InputException.Excerpt("a\tb\nc\\d\0\u202e"));
        Assert.Equal("'" + new string('x', InputException.ExcerptLength) + "…'", InputException.Excerpt(new string('x', 100)));
        Assert.Equal(@"'\x93NUMPY'", InputException.Excerpt([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y']));
    }

    [Fact]
    public void Load_Should_RefuseAFifoOrDeviceAsADataFileInsteadOfHanging()
    {
        using var f = new ManifestFixture();
        var fifo = Path.Combine(f.Dir.Path, "split.txt");
        File.Delete(fifo);
        using (var p = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!) p.WaitForExit();
        var e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal((f.Manifest, "media.image.split"), (e.Location, e.Field));
        Assert.Equal("'split.txt' (a named pipe (FIFO), not a regular file)", e.Found);

        f.Write(f.Json("""
            "features": "/dev/zero", "labels": "labels.txt", "split": "sound_split.txt"
            """));
        e = Assert.Throws<InputException>(() => DatasetCatalog.Load(f.Manifest, NoVal));
        Assert.Equal("media.image.features", e.Field);
        Assert.Contains("character device", e.Found);
    }
}
