using CrossMedia.Media;

namespace CrossMedia.Tests.Media;

public class ImageTransformTests
{
    // A 6×4 RGBA picture: R = 10x + 40y, G = 200 − 30x, B = 5 + 50y, opaque except pixel (0,0)
    // (alpha 0) and (5,3) (alpha 51 = 20 %).
    private static (byte, byte, byte, byte) Pixel(int x, int y) =>
        ((byte)(10 * x + 40 * y), (byte)(200 - 30 * x), (byte)(5 + 50 * y), (byte)(x == 0 && y == 0 ? 0 : x == 5 && y == 3 ? 51 : 255));

    [Fact]
    public void Decode_Should_CompositeAlphaOntoWhite()
    {
        using var files = new MediaTestFiles();
        var img = ImageDecoder.Decode(files.Png("tiny.png", 6, 4, Pixel));
        Assert.Equal((6, 4), (img.Width, img.Height));
        // Transparent → white; 20 % alpha → 0.2·c + 0.8·255.
        Assert.Equal([255f, 255f, 255f], new[] { img[0, 0, 0], img[0, 0, 1], img[0, 0, 2] });
        Assert.Equal(0.2f * 170 + 204, img[5, 3, 0], 3);
        Assert.Equal(0.2f * 50 + 204, img[5, 3, 1], 3);
        Assert.Equal(0.2f * 155 + 204, img[5, 3, 2], 3);
        Assert.Equal([70f, 110f, 55f], new[] { img[3, 1, 0], img[3, 1, 1], img[3, 1, 2] });
    }

    [Fact]
    public void Resize_Should_MatchPilBilinear()
    {
        // Expected: PIL 9.4, per channel as mode "F" (no 8-bit rounding):
        //   Image.fromarray(rgb[..., c].astype(np.float32), 'F').resize((4, 3), Image.BILINEAR)
        // where rgb is the white-composited picture of Pixel() above.
        float[] expected =
        [
            127.3125f, 212.8125f, 129.3750f, 29.7778f, 146.6667f, 20.0000f, 44.2222f, 103.3333f, 20.0000f, 58.2500f, 61.2500f, 20.0000f,
            63.7500f, 188.7500f, 80.0000f, 77.7778f, 146.6667f, 80.0000f, 92.2222f, 103.3333f, 80.0000f, 106.2500f, 61.2500f, 80.0000f,
            111.7500f, 188.7500f, 140.0000f, 125.7778f, 146.6667f, 140.0000f, 140.2222f, 103.3333f, 140.0000f, 184.0000f, 133.0000f, 175.0000f,
        ];
        using var files = new MediaTestFiles();
        var resized = ImageTransform.ResizeShorterSide(ImageDecoder.Decode(files.Png("tiny.png", 6, 4, Pixel)), 3);
        Assert.Equal((4, 3), (resized.Width, resized.Height));
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], resized.Pixels[i], 3);
    }

    [Fact]
    public void Preprocess_Should_ResizeCropAndNormaliseLikeTorchvision()
    {
        // Resize(3) → 4×3, CenterCrop(2) → columns 1..2, rows 0..1 (offset 0.5 rounds to even 0),
        // Normalize(ImageNet), CHW; same PIL computation as above followed by
        // ((crop / 255 − mean) / std).transpose(2, 0, 1).
        float[] expected = [-1.60797f, -1.36061f, -0.78598f, -0.53862f, 0.53198f, -0.22666f, 0.53198f, -0.22666f, -1.45586f, -1.45586f, -0.41011f, -0.41011f];
        using var files = new MediaTestFiles();
        var tensor = ImageTransform.Preprocess(ImageDecoder.Decode(files.Png("tiny.png", 6, 4, Pixel)), MediaPreprocessing.Small(2, 3));
        Assert.Equal(expected.Length, tensor.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], tensor[i], 4);
    }

    [Fact]
    public void Preprocess_Should_SquashToSquareInReferenceMode()
    {
        using var files = new MediaTestFiles();
        var img = ImageDecoder.Decode(files.Png("wide.png", 8, 2, (x, y) => ((byte)(x < 4 ? 0 : 255), 0, 0, 255)));
        var p = MediaPreprocessing.Small(4, 4) with { Resize = ResizeMode.Square, Mean = [0, 0, 0], Std = [1, 1, 1] };
        var t = ImageTransform.Preprocess(img, p);
        Assert.Equal(48, t.Length);
        // Squashed 8→4 wide: left half black, right half red; a shorter-side resize would have cropped the middle.
        Assert.Equal(0f, t[0], 4);
        Assert.Equal(1f, t[3], 4);
    }

    [Theory]
    [InlineData("jpg")]
    [InlineData("webp")]
    [InlineData("gif")]
    [InlineData("bmp")]
    public void Decode_Should_ReadOtherPictureFormats(string format)
    {
        // Left half red, right half blue, 16×8, converted from PNG by ffmpeg.
        using var files = new MediaTestFiles();
        var png = files.Png("src.png", 16, 8, (x, y) => x < 8 ? ((byte)255, (byte)0, (byte)0, (byte)255) : ((byte)0, (byte)0, (byte)255, (byte)255));
        var target = files.PathOf("pic." + format);
        var r = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ffmpeg", ["-v", "error", "-y", "-i", png, target]))!;
        r.WaitForExit();
        Assert.Equal(0, r.ExitCode);
        var img = ImageDecoder.Decode(target);
        Assert.Equal((16, 8), (img.Width, img.Height));
        Assert.True(img[2, 4, 0] > 200 && img[2, 4, 2] < 60, $"{format}: left is red");
        Assert.True(img[13, 4, 2] > 200 && img[13, 4, 0] < 60, $"{format}: right is blue");
    }

    [Fact]
    public void Decode_Should_RejectCorruptPicture()
    {
        using var files = new MediaTestFiles();
        var path = files.PathOf("corrupt.png");
        File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3, 4, 5]);
        var e = Assert.Throws<InputException>(() => ImageDecoder.Decode(path));
        Assert.Contains("corrupt.png", e.Message);
    }

    [Fact]
    public void Decode_Should_RasteriseSvgAtRequestedShorterSide()
    {
        using var files = new MediaTestFiles();
        var path = files.PathOf("box.svg");
        File.WriteAllText(path, "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'><rect x='0' y='0' width='20' height='20' fill='#0000ff'/></svg>");
        var img = ImageDecoder.Decode(path, svgShorterSide: 50);
        Assert.Equal((100, 50), (img.Width, img.Height));
        Assert.True(img[10, 25, 2] > 250 && img[10, 25, 0] < 5, "left half is blue");
        Assert.True(img[90, 25, 0] > 250 && img[90, 25, 1] > 250, "transparent right half is white");
    }
}
