namespace CrossMedia.Media;

/// <summary>Which frames of a video are kept.</summary>
internal static class FrameSampling
{
    /// <summary>
    /// <paramref name="count"/> frame indices spread uniformly over <paramref name="frames"/>: the frame
    /// at the centre of each of <paramref name="count"/> equal segments, ⌊(i + ½)·frames / count⌋. A video
    /// with fewer frames than asked repeats frames, so every video yields exactly <paramref name="count"/>.
    /// </summary>
    public static int[] Uniform(int frames, int count)
    {
        if (frames < 1) throw new ArgumentOutOfRangeException(nameof(frames), "a video needs at least one frame");
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count));
        var idx = new int[count];
        for (int i = 0; i < count; i++) idx[i] = Math.Min(frames - 1, (int)((i + 0.5) * frames / count));
        return idx;
    }
}
