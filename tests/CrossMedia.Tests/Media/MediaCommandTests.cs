using System.CommandLine;
using CrossMedia.Cli;
using CrossMedia.Cli.Commands;
using CrossMedia.Media;

namespace CrossMedia.Tests.Media;

public class MediaCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CrossMedia.Tests.Cli.CliHarness.Run(args);

    [Fact]
    public void Spectrogram_Should_WriteAPictureOfTheRequestedSize()
    {
        using var files = new MediaTestFiles();
        var wav = files.Tone("tone.wav", 1000, 0.5);
        var png = files.PathOf("out.png");
        var (code, output, _) = Run("media", "spectrogram", "--file", wav, "--out", png, "--size", "64");
        Assert.Equal(0, code);
        Assert.Contains("64x64", output);
        var img = ImageDecoder.Decode(png);
        Assert.Equal((64, 64), (img.Width, img.Height));
    }

    [Fact]
    public void Spectrogram_Should_ReportAnUndecodableFileAsOneLine()
    {
        using var files = new MediaTestFiles();
        var bad = files.PathOf("bad.wav");
        File.WriteAllText(bad, "not audio");
        var (code, _, error) = Run("media", "spectrogram", "--file", bad, "--out", files.PathOf("out.png"));
        Assert.Equal(2, code);
        Assert.Contains("bad.wav", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Decode_Should_ReportItemsPerMedium()
    {
        using var files = new MediaTestFiles();
        var (code, output, error) = Run("media", "decode", "--dataset", "synthetic-media:classes=2,train=1,val=0,test=1,media=image+text+audio",
            "--data-root", files.Root, "--input-size", "16", "--resize", "20", "--workers", "2");
        Assert.True(code == 0, error);
        Assert.Contains("image: 4/4 decoded", output);
        Assert.Contains("text: 4/4 decoded", output);
        Assert.Contains("audio: 4/4 decoded", output);
        Assert.DoesNotContain("skipped ", output.Replace("0 skipped", ""));
    }
}
