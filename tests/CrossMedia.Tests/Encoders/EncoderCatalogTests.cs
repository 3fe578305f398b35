using System.Text;
using CrossMedia.Core;
using CrossMedia.Encoders;
using CrossMedia.Media;
using CrossMedia.Models.Backbones;
using CrossMedia.Tests.Media;
using TorchSharp;
using static TorchSharp.torch;

namespace CrossMedia.Tests.Encoders;

/// <summary>One ResNet-18 per medium for the class (each imports the 64 MB ONNX model), and the media they read.</summary>
public sealed class PictureEncodersFixture : IDisposable
{
    static readonly EncoderOptions Options = new() { FramesPerVideo = 3, BatchSize = 4 };
    readonly Dictionary<MediaKind, MediumEncoder> _encoders = [];
    internal MediaTestFiles Files { get; } = new();

    public MediumEncoder For(MediaKind kind)
    {
        lock (_encoders)
        {
            if (!_encoders.TryGetValue(kind, out var encoder))
                _encoders[kind] = encoder = EncoderCatalog.Create(kind, EncoderCatalog.ResNet18, Options);
            return encoder;
        }
    }

    public void Dispose()
    {
        foreach (var e in _encoders.Values) e.Dispose();
        Files.Dispose();
    }
}

public class EncoderCatalogTests(PictureEncodersFixture fixture) : IClassFixture<PictureEncodersFixture>
{
    static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    static void AssertUnitRows(Matrix m)
    {
        Assert.Equal(-1, m.FirstNonFiniteRow());
        for (int i = 0; i < m.Rows; i++) Assert.Equal(1.0, Math.Sqrt(Dot(m.RowReadOnly(i), m.RowReadOnly(i))), 5);
    }

    string Picture(string name, int seed) => fixture.Files.Png(name, 60, 40, (x, y) =>
        ((byte)(x * 4 + seed * 50), (byte)(y * 6), (byte)((x + y) * 3 * seed), (byte)(x < 5 ? 0 : 255)));

    /// <summary>Pictures run through a backbone built here, apart from the encoder: pooled features averaged and L2-normalised.</summary>
    static float[] Independent(IEnumerable<RgbImage> pictures)
    {
        // The whole picture squashed to 224², in 0–255 as the ImageNet ONNX model takes it (it subtracts its mean image).
        var preprocessing = new MediaPreprocessing
        {
            InputSize = 224, ResizeSize = 224, Resize = ResizeMode.Square,
            Mean = InputNormalization.Pixel255.Mean, Std = InputNormalization.Pixel255.Std,
        };
        using var net = BackboneRegistry.Create("resnet18", 1000, new BackboneOptions(224, BackboneOptions.ImageNet));
        net.eval();
        var chw = pictures.Select(p => ImageTransform.Preprocess(p, preprocessing)).ToArray();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = torch.stack(chw.Select(c => torch.tensor(c, [3, 224, 224])).ToArray());
        var mean = net.ForwardFeatures(x).mean([0]).data<float>().ToArray();
        Vectors.Normalise(mean);
        return mean;
    }

    static void AssertClose(float[] expected, ReadOnlySpan<float> actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}] {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void Image_Should_EncodeBytesAsItsFile_InUnitRows()
    {
        var encoder = fixture.For(MediaKind.Image);
        var a = Picture("a.png", 1);
        var b = Picture("b.png", 2);
        var m = encoder.Encode([MediaSource.File(a), MediaSource.FromBytes(File.ReadAllBytes(a), "upload.png"), MediaSource.File(b)]);
        Assert.Equal((3, 512), (m.Rows, m.Cols));
        AssertUnitRows(m);
        Assert.Equal(m.RowReadOnly(0).ToArray(), m.RowReadOnly(1).ToArray());
        Assert.True(Dot(m.RowReadOnly(0), m.RowReadOnly(2)) < 0.9999, "different pictures, different features");
        // Batching (4 pictures a pass) does not change a row.
        AssertClose(m.RowReadOnly(2).ToArray(), encoder.Encode(MediaSource.File(b)));
        AssertClose(Independent([ImageDecoder.Decode(a)]), m.RowReadOnly(0));
    }

    [Fact]
    public void Video_Should_BeTheMeanOfItsSampledFramesFeatures()
    {
        var encoder = fixture.For(MediaKind.Video);
        var video = fixture.Files.GreyRampVideo("ramp.mp4", 9, size: 48);
        var m = encoder.Encode([MediaSource.File(video), MediaSource.FromBytes(File.ReadAllBytes(video), "clip.mp4")]);
        AssertUnitRows(m);
        AssertClose(m.RowReadOnly(0).ToArray(), m.RowReadOnly(1));
        var frames = VideoDecoder.SampleFrames(video, 3); // FrameSampling.Uniform(9, 3): frames 1, 4, 7
        AssertClose(Independent(frames), m.RowReadOnly(0));
        // Not just the middle frame: the mean differs from any one frame's feature.
        Assert.True(Dot(Independent([frames[1]]), m.RowReadOnly(0)) < 0.99999);
    }

    [Fact]
    public void Audio_Should_GoThroughTheSpectrogramPicture()
    {
        var encoder = fixture.For(MediaKind.Audio);
        var tone = fixture.Files.Tone("tone.wav", 880, 1.0);
        var m = encoder.Encode([MediaSource.File(tone), MediaSource.FromBytes(File.ReadAllBytes(tone), "voice.wav")]);
        AssertUnitRows(m);
        AssertClose(m.RowReadOnly(0).ToArray(), m.RowReadOnly(1));
        var picture = Spectrogram.Picture(AudioDecoder.Decode(tone, 22050), new SpectrogramOptions());
        AssertClose(Independent([picture]), m.RowReadOnly(0));
    }

    [Fact]
    public void UndecodableMedia_Should_NameEveryBadFile_AndGiveNoRows()
    {
        var encoder = fixture.For(MediaKind.Image);
        var good = Picture("good.png", 3);
        var e = Assert.Throws<UndecodableMediaException>(() => encoder.Encode([
            MediaSource.File(good), MediaSource.FromBytes("not a picture"u8.ToArray(), "bad.png"), MediaSource.File(fixture.Files.PathOf("missing.png"))]));
        Assert.Equal(["bad.png", fixture.Files.PathOf("missing.png")], e.Problems.Select(p => p.Path));
        Assert.StartsWith("bad.png", e.Message);
        Assert.Contains("1 more", e.Message);
    }

    [Fact]
    public void OversizedMedia_Should_BeRefusedByTheLimits_NamingTheUpload()
    {
        using var encoder = EncoderCatalog.Create(MediaKind.Image, "resnet18", new EncoderOptions { Limits = new MediaLimits { MaxPixels = 1000 } });
        var e = Assert.Throws<UndecodableMediaException>(() => encoder.Encode([MediaSource.FromBytes(File.ReadAllBytes(Picture("big.png", 4)), "big-upload.png")]));
        Assert.True(e.LimitExceeded);
        Assert.Equal("big-upload.png", e.Location);
        Assert.Equal("size", e.Field);
    }

    [Fact]
    public void Text_Should_ReadFilesAndBytes_AsTheStrings()
    {
        using var encoder = EncoderCatalog.Create("text", "MiniLM", new EncoderOptions { Threads = 2 });
        Assert.Equal(("minilm", 384), (encoder.Name, encoder.Dimension));
        var file = fixture.Files.PathOf("apple.txt");
        File.WriteAllText(file, "a red apple\nfr.utf8=une pomme rouge\n");
        var m = encoder.Encode([MediaSource.File(file), MediaSource.FromBytes(Encoding.UTF8.GetBytes("a red apple"), "query.txt")]);
        var s = encoder.EncodeText("a red apple");
        AssertClose(s, m.RowReadOnly(0));
        AssertClose(s, m.RowReadOnly(1));
        var e = Assert.Throws<InputException>(() => fixture.For(MediaKind.Image).EncodeText("a red apple"));
        Assert.Equal("image", e.Field);
    }

    [Theory]
    [InlineData("image", "minilm", "image", "resnet18")]
    [InlineData("text", "resnet18", "text", "minilm")]
    [InlineData("audio", "vgg19", "audio", "resnet18")]
    [InlineData("smell", "resnet18", "smell", "image, text, audio or video")]
    public void UnknownEncoderOrMedium_Should_BeAnInputException_NamingTheField(string medium, string name, string field, string expected)
    {
        var e = Assert.Throws<InputException>(() => EncoderCatalog.Create(medium, name, location: "--encoders"));
        Assert.Equal("--encoders", e.Location);
        Assert.Equal(field, e.Field);
        Assert.Contains(expected, e.Expected);
        Assert.Contains(name == "resnet18" ? medium : name, e.Message);
    }

    [Fact]
    public void Catalog_Should_NameTheDefaultEncoders()
    {
        Assert.Equal("resnet18", EncoderCatalog.DefaultFor(MediaKind.Image));
        Assert.Equal("resnet18", EncoderCatalog.DefaultFor(MediaKind.Audio));
        Assert.Equal("resnet18", EncoderCatalog.DefaultFor(MediaKind.Video));
        Assert.Equal("minilm", EncoderCatalog.DefaultFor(MediaKind.Text));
        Assert.Equal(512, EncoderCatalog.DimensionOf(MediaKind.Video, "ResNet18"));
        Assert.Equal(384, EncoderCatalog.DimensionOf(MediaKind.Text, "minilm"));
    }
}
