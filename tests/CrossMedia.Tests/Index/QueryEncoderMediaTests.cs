using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Index;
using CrossMedia.Media;
using CrossMedia.Models;
using CrossMedia.Tests.Media;

namespace CrossMedia.Tests.Index;

/// <summary>A query file is checked before the model sees it, and file queries are capped in number (issue 9, items 3 and 4).</summary>
public class QueryEncoderMediaTests
{
    [Fact]
    public void EncodeFile_Should_RefuseUndecodableAndOversizedFiles_BeforeTheModel()
    {
        using var files = new MediaTestFiles();
        var model = new CountingModel();
        var encoder = new QueryEncoder(model, 16);
        var empty = files.PathOf("empty.png");
        File.WriteAllBytes(empty, []);
        var huge = files.PathOf("huge.png");
        File.WriteAllBytes(huge, HostileMedia.Png(100_000, 100_000));

        var undecodable = Assert.Throws<UndecodableMediaException>(() => encoder.EncodeFile(empty));
        Assert.Equal($"{empty}: expected a picture (PNG, JPEG, WebP, GIF, BMP or SVG), found an empty file", undecodable.Message);
        Assert.Throws<MediaLimitException>(() => encoder.EncodeFile(huge));
        Assert.Equal(0, model.Calls);
        Assert.Equal(1, encoder.EncodeFile(files.Png("fine.png", 4, 4, (_, _) => (1, 2, 3, 255))).Rows);
    }

    /// <summary>An upload is encoded from its bytes in memory (issue 11, item 3: no temporary file), checked as a file is, named by its file name.</summary>
    [Fact]
    public void Encode_Should_CheckAndEmbedBytesInMemory_AsAFile()
    {
        var model = new CountingModel();
        var encoder = new QueryEncoder(model, 16);

        var undecodable = Assert.Throws<UndecodableMediaException>(() => encoder.Encode(MediaSource.FromBytes([], "upload.png")));
        Assert.Equal("upload.png: expected a picture (PNG, JPEG, WebP, GIF, BMP or SVG), found an empty file", undecodable.Message);
        Assert.Throws<MediaLimitException>(() => encoder.Encode(MediaSource.FromBytes(HostileMedia.Png(100_000, 100_000), "huge.png")));
        Assert.Equal(0, model.Calls);
        Assert.Equal(1, encoder.Encode(MediaSource.FromBytes(HashingTestModel.TinyPng(), "fine.png")).Rows);
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task EncodeFile_Should_RefuseAtOnce_WhenTheDecodeCapIsTaken()
    {
        using var files = new MediaTestFiles();
        var png = files.Png("fine.png", 4, 4, (_, _) => (1, 2, 3, 255));
        using var model = new CountingModel { Gate = new ManualResetEventSlim() };
        var encoder = new QueryEncoder(model, 16, new MediaLimits { MaxConcurrentDecodes = 1 });
        var first = Task.Run(() => encoder.EncodeFile(png));
        model.Entered.Wait();  // the first query holds the only slot, inside the model

        Assert.Equal("1 media queries are in progress; try again shortly", Assert.Throws<QueryBusyException>(() => encoder.EncodeFile(png)).Message);
        Assert.Throws<QueryBusyException>(() => encoder.EncodeText("a bird"));
        Assert.Equal(1, encoder.EncodeVector(new float[16], QueryEncoder.Embedding).Rows);  // vectors need no decoding
        model.Gate.Set();
        Assert.Equal(1, (await first).Rows);
        Assert.Equal(1, encoder.EncodeFile(png).Rows);  // the slot is free again
    }

    /// <summary>Reads files as a real model would (it never sees a refused one); optionally blocks inside <see cref="Embed"/>.</summary>
    internal sealed class CountingModel : IEmbeddingModel
    {
        private int calls;
        public ManualResetEventSlim? Gate { get; init; }
        public ManualResetEventSlim Entered { get; } = new();
        public int Calls => calls;
        public string Method => "counting";
        public int EmbeddingDimension => 16;
        public IReadOnlyList<MediumSpec> Media => [new("image", 0, true), new("text", 0, true)];

        public Matrix Embed(EmbeddingInput input, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref calls);
            Entered.Set();
            Gate?.Wait();
            return new Matrix(input.Count, 16);
        }

        public void Save(string directory) { }
        public void Dispose() => Gate?.Dispose();
    }
}
