using CrossMedia.Media;

namespace CrossMedia.Tests.Media;

public class VideoTests
{
    [Theory]
    [InlineData(100, 4, new[] { 12, 37, 62, 87 })]
    [InlineData(3, 5, new[] { 0, 0, 1, 2, 2 })]
    [InlineData(1, 3, new[] { 0, 0, 0 })]
    [InlineData(25, 25, new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 })]
    public void Uniform_Should_TakeSegmentCentres(int frames, int count, int[] expected)
    {
        Assert.Equal(expected, FrameSampling.Uniform(frames, count));
    }

    [Fact]
    public void SampleFrames_Should_ReturnTheSampledFramesOfShortAndLongVideos()
    {
        using var files = new MediaTestFiles();
        var longVideo = files.GreyRampVideo("long.mp4", 20);
        var shortVideo = files.GreyRampVideo("short.mp4", 3);
        Assert.Equal((32, 32, 20), VideoDecoder.Probe(longVideo));

        var frames = VideoDecoder.SampleFrames(longVideo, 5);
        Assert.Equal(5, frames.Length);
        // Frame i is grey 10·i; sampled indices are 2, 6, 10, 14, 18 (lossy coding: ±4 grey levels).
        int[] idx = FrameSampling.Uniform(20, 5);
        for (int i = 0; i < 5; i++) Assert.InRange(MeanGrey(frames[i]), 10 * idx[i] - 4, 10 * idx[i] + 4);

        var few = VideoDecoder.SampleFrames(shortVideo, 5);
        Assert.Equal(5, few.Length);
        Assert.Same(few[0], few[1]); // frame 0 stands for two segments
    }

    [Fact]
    public async Task Decoder_Should_GroupFramesByVideoIdForVideosOfDifferentLengths()
    {
        using var files = new MediaTestFiles();
        string[] paths = [files.GreyRampVideo("a.mp4", 2), files.GreyRampVideo("b.mp4", 11), files.GreyRampVideo("c.mp4", 7)];
        var medium = new MediaFiles("video", paths, ["vid-a", "vid-b", "vid-c"], [0, 1, 2]);
        var decoder = new MediaDecoder(new MediaDecoderOptions { Preprocessing = MediaPreprocessing.Small(16, 16), FramesPerVideo = 4, Workers = 2 });
        var items = new List<DecodedItem>();
        await foreach (var item in decoder.DecodeAsync(medium)) items.Add(item);
        Assert.Empty(decoder.Problems);
        Assert.Equal(["vid-a", "vid-b", "vid-c"], items.Select(i => i.Id));
        Assert.All(items, i => Assert.Equal(4, i.Frames!.Count));
        Assert.All(items, i => Assert.All(i.Frames!, f => Assert.Equal(3 * 16 * 16, f.Length)));
        Assert.Equal([0, 1, 2], items.Select(i => i.Label));
    }

    private static double MeanGrey(RgbImage img) => img.Pixels.Average();
}
