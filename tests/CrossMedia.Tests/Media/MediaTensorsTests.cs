using CrossMedia.Media;
using CrossMedia.Torch;

namespace CrossMedia.Tests.Media;

public class MediaTensorsTests
{
    private static DecodedItem Item(int row, float[]? pixels = null, float[][]? frames = null) => new()
    {
        Row = row, Id = $"v{row}", Label = 0, Kind = frames is null ? MediaKind.Image : MediaKind.Video,
        Path = "x", Pixels = pixels, Frames = frames, Height = 1, Width = 2,
    };

    [Fact]
    public void Pictures_Should_StackInOrder()
    {
        TorchRuntime.Initialize(1);
        using var t = MediaTensors.Pictures([Item(0, [1, 2, 3, 4, 5, 6]), Item(1, [7, 8, 9, 10, 11, 12])]);
        Assert.Equal(new long[] { 2, 3, 1, 2 }, t.shape);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (float)i), t.data<float>().ToArray());
    }

    [Fact]
    public void VideoFrames_Should_TagEveryFrameWithItsVideo()
    {
        TorchRuntime.Initialize(1);
        float[] f(float v) => Enumerable.Repeat(v, 6).ToArray();
        var (frames, video) = MediaTensors.VideoFrames([Item(0, frames: [f(1), f(2)]), Item(1, frames: [f(3), f(4), f(5)])]);
        using (frames)
        {
            Assert.Equal(new long[] { 5, 3, 1, 2 }, frames.shape);
            Assert.Equal(new long[] { 0, 0, 1, 1, 1 }, video);
            Assert.Equal(5f, frames[4].mean().item<float>());
        }
    }
}
