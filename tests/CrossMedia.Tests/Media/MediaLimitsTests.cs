using CrossMedia.Media;

namespace CrossMedia.Tests.Media;

/// <summary>
/// Hostile files (issue 9, items 3 and 4) are refused from their headers, before decoding: the
/// answer names the file and the limit, and the decoder allocates almost nothing on the way. The
/// decoders run on the calling thread, so this thread's allocation count bounds their memory.
/// </summary>
public class MediaLimitsTests
{
    /// <summary>What a refused file may cost; decoding any of these files costs 0.4 to 2 GB.</summary>
    private const long MemoryBound = 32 << 20;

    private static T RefusedCheaply<T>(Action decode) where T : Exception
    {
        T? refused = null;
        long allocated = HostileMedia.AllocatedBy(() => refused = Assert.Throws<T>(decode));
        Assert.True(allocated < MemoryBound, $"allocated {allocated / 1e6:F1} MB refusing the file");
        return refused!;
    }

    [Theory]
    [InlineData(100_000, 100_000, "sides of at most 16384 pixels")]  // 470 bytes claiming 10^10 pixels
    [InlineData(10_000, 10_000, "at most 40 megapixels")]            // was decoded: +1.2 GB
    [InlineData(1, 100_000, "sides of at most 16384 pixels")]        // was resized to 256 x 25.6M: 1.97 GB
    [InlineData(1, 10_000, "an aspect ratio of at most 20:1")]
    public void Picture_Should_BeRefusedFromItsHeader_NamingTheLimit(int width, int height, string limit)
    {
        using var files = new MediaTestFiles();
        var path = files.PathOf("claims.png");
        File.WriteAllBytes(path, HostileMedia.Png(width, height));

        var e = RefusedCheaply<MediaLimitException>(() => ImageDecoder.Decode(path));
        Assert.Equal($"{path}: size: expected {limit}, found {width}x{height}", e.Message);
        RefusedCheaply<MediaLimitException>(() => MediaCheck.File(path, MediaKind.Image));
    }

    [Fact]
    public void Audio_ClaimingAHugeSampleRate_Should_BeRefusedFromItsHeader()
    {
        // A WAV whose header says 268,435,456 Hz: ffmpeg resampling it to the spectrogram's rate grew to 1.6 GB (fuzz run).
        using var files = new MediaTestFiles();
        var wav = files.PathOf("rate.wav");
        var bytes = WavWriter.Encode(new float[800], 8000);
        BitConverter.GetBytes(268_435_456).CopyTo(bytes, 24);  // the fmt chunk's sample rate
        File.WriteAllBytes(wav, bytes);

        var e = RefusedCheaply<MediaLimitException>(() => AudioDecoder.Decode(wav));
        Assert.Equal($"{wav}: sample rate: expected at most 384000 Hz, found 268435456 Hz", e.Message);
    }

    [Fact]
    public void Audio_TwoHoursOfSilence_Should_BeRefusedFromItsHeader()
    {
        using var files = new MediaTestFiles();
        var flac = HostileMedia.SilentFlac(files.PathOf("silence.flac"));
        Assert.True(new FileInfo(flac).Length < 2_000_000);

        var e = RefusedCheaply<MediaLimitException>(() => AudioDecoder.Decode(flac));
        Assert.Equal($"{flac}: duration: expected at most 600 seconds, found 7200 seconds", e.Message);
        // The same file within a longer limit decodes (the limit, not the file, refused it).
        Assert.Equal(3 * 8000, AudioDecoder.Decode(HostileMedia.SilentFlac(files.PathOf("short.flac"), 3), 8000, new MediaLimits { MaxAudioSeconds = 3 }).Length);
    }

    [Fact]
    public void Video_Should_BeRefusedFromItsHeader_OverDurationFramesOrFrameSize()
    {
        using var files = new MediaTestFiles();
        var video = files.GreyRampVideo("ramp.mp4", 20, size: 32, fps: 10);  // 2 s, 20 frames of 32x32

        Assert.Equal($"{video}: duration: expected at most 1 seconds, found 2 seconds",
            RefusedCheaply<MediaLimitException>(() => VideoDecoder.SampleFrames(video, 3, new MediaLimits { MaxVideoSeconds = 1 })).Message);
        Assert.Equal($"{video}: frames: expected at most 10 frames, found 20",
            RefusedCheaply<MediaLimitException>(() => VideoDecoder.SampleFrames(video, 3, new MediaLimits { MaxVideoFrames = 10 })).Message);
        Assert.Equal($"{video}: size: expected at most 0.001 megapixels, found 32x32",
            RefusedCheaply<MediaLimitException>(() => VideoDecoder.SampleFrames(video, 3, new MediaLimits { MaxVideoFramePixels = 1000 })).Message);
        Assert.Equal(3, VideoDecoder.SampleFrames(video, 3).Length);
    }

    [Fact]
    public void Video_TwoHoursLong_Should_BeRefusedBeforeItsFramesAreCounted()
    {
        using var files = new MediaTestFiles();
        var video = files.PathOf("long.mp4");
        HostileMedia.Ffmpeg("-f", "lavfi", "-i", "color=c=black:s=16x16:r=1", "-t", "7200", "-pix_fmt", "yuv420p", video);

        var e = RefusedCheaply<MediaLimitException>(() => VideoDecoder.SampleFrames(video, 25));
        Assert.Equal($"{video}: duration: expected at most 600 seconds, found 7200 seconds", e.Message);
    }

    [Fact]
    public void Text_Should_BeRefused_OverTheSizeLimit()
    {
        using var files = new MediaTestFiles();
        var path = files.PathOf("long.txt");
        File.WriteAllText(path, new string('a', 2000));
        var e = Assert.Throws<MediaLimitException>(() => TextMedia.Read(path, new MediaLimits { MaxTextBytes = 1000 }));
        Assert.Equal($"{path}: size: expected a text of at most 1000 bytes, found 2000 bytes", e.Message);
    }

    [Fact]
    public void Ffmpeg_Should_KillTheTool_WhenItsOutputPassesTheCap()
    {
        // An hour of samples (115 MB as f32le) from a source whose length no header states.
        Ffmpeg.Result? r = null;
        long allocated = HostileMedia.AllocatedBy(() => r = Ffmpeg.Run("ffmpeg",
            ["-v", "error", "-nostdin", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "3600", "-f", "f32le", "-"], maxOutputBytes: 1 << 20));
        Assert.True(r!.Capped);
        Assert.Equal(1 << 20, r.Stdout.Length);
        Assert.True(allocated < MemoryBound, $"allocated {allocated / 1e6:F1} MB");
    }

    [Fact]
    public void Ffmpeg_Should_KillTheTool_WhenItRunsPastTheTimeout()
    {
        // -re reads the input at its own pace: a minute of audio takes a minute.
        var e = Assert.Throws<MediaLimitException>(() => Ffmpeg.Run("ffmpeg",
            ["-v", "error", "-nostdin", "-re", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "60", "-f", "null", "-"],
            timeout: TimeSpan.FromMilliseconds(300), source: "slow.wav"));
        Assert.Equal("slow.wav: expected decoding within 0.3 seconds, found a longer run (stopped)", e.Message);
    }

    public static TheoryData<string, byte[]> Undecodable => new()
    {
        { "empty.png", [] },
        { "empty.wav", [] },
        { "empty.mp4", [] },
        { "empty.txt", [] },
        { "text.png", "just some words, not a picture"u8.ToArray() },
        { "text.wav", "just some words, not a sound"u8.ToArray() },
        { "text.mp4", "just some words, not a video"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(Undecodable))]
    public void Check_Should_RefuseUndecodableFiles_NamingTheFile(string name, byte[] content)
    {
        using var files = new MediaTestFiles();
        var path = files.PathOf(name);
        File.WriteAllBytes(path, content);
        var e = Assert.ThrowsAny<InputException>(() => MediaCheck.File(path, MediaKinds.FromExtension(path)!.Value));
        Assert.IsNotType<MediaLimitException>(e);
        Assert.StartsWith(path + ": ", e.Message);
    }
}
