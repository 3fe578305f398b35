using System.Diagnostics;
using CrossMedia.Encoders;

namespace CrossMedia.Bench;

/// <summary>MiniLM text encoding throughput (sentences/s) per batch size, on a fixed thread count.</summary>
static class MiniLmBench
{
    public static int Run(BenchArgs a)
    {
        int threads = a.Int("threads", 2), n = a.Int("n", 400);
        string[] subjects = ["a red apple", "the old brick house", "a small brown bird", "two coins on a table", "the city at night"];
        string[] verbs = ["lies next to", "is drawn beside", "appears far behind", "was photographed with"];
        var texts = Enumerable.Range(0, n)
            .Select(i => $"{subjects[i % 5]} {verbs[i / 5 % 4]} {subjects[(i / 20 + 1) % 5]}, picture {i}.").ToArray();
        foreach (var batch in a.String("batches", "1,8,32").Split(',').Select(int.Parse))
        {
            using var encoder = new MiniLmTextEncoder(threads, batch);
            encoder.Encode(texts[..Math.Min(n, 16)]); // warm-up
            var clock = Stopwatch.StartNew();
            encoder.Encode(texts);
            Console.WriteLine($"minilm threads={threads} batch={batch} sentences={n} per_second={n / clock.Elapsed.TotalSeconds:F0}");
        }
        return 0;
    }
}
