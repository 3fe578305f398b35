using CrossMedia.Core;
using CrossMedia.Index;

namespace CrossMedia.Bench;

/// <summary>Writes an index of random unit vectors over a few media for the service load test.</summary>
internal static class ServiceBench
{
    public static void WriteIndex(string dir, int n, int d)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(7);
        string[] media = ["image", "text", "audio", "video"];
        var index = EmbeddingIndex.Create(new IndexHeader("", "", d, Metric.Cosine, media, []));
        var v = new Matrix(n, d);
        for (int i = 0; i < v.Data.Length; i++) v.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        index.Add(Enumerable.Range(0, n).Select(i => new NewItem($"item{i}", media[i % 4])).ToArray(), v);
        index.Save(Path.Combine(dir, "service.cmidx"));
        index.Dispose();
        Console.WriteLine($"wrote {n}×{d} index to {dir}/service.cmidx");
    }
}
