namespace CrossMedia.Training;

/// <summary>The item order of one epoch and its batches, shared by every trainer.</summary>
internal static class EpochOrder
{
    /// <summary>A random permutation of 0..n-1 drawn from <paramref name="rng"/>.</summary>
    public static long[] Permutation(Random rng, int n)
    {
        var p = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        rng.Shuffle(p);
        return p;
    }

    /// <summary>
    /// Batch <paramref name="b"/> of an epoch's order, wrapping around the end: every batch is full
    /// (as the reference does), and a shorter medium cycles through the epoch of the longest.
    /// </summary>
    public static long[] Batch(long[] order, int b, int batchSize)
    {
        int size = Math.Min(batchSize, order.Length);
        var idx = new long[size];
        for (int i = 0; i < size; i++) idx[i] = order[(b * (long)batchSize + i) % order.Length];
        return idx;
    }
}
