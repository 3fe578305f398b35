namespace CrossMedia.Bench;

/// <summary>
/// Benchmarks that never run in the test suite. Usage: <c>CrossMedia.Bench &lt;mode&gt; [--key value ...]</c>.
/// One line per mode in <see cref="Modes"/>; each prints its results as key=value lines.
/// </summary>
public static class Program
{
    private static readonly Dictionary<string, (string Help, Func<BenchArgs, int> Run)> Modes = new(StringComparer.Ordinal)
    {
        ["resnet-step"] = ("ResNet training step (SGD momentum 0.9, cross-entropy); --depth 50 --batch 16 --size 224 --threads 2 --warmup 2 --steps 6", ResNetStepBenchmark.Run),
        ["hnsw-prepare"] = ("HNSW data: class-structured gallery + queries (.npy) and an L2 index file; --dir /tmp/cm-bench-hnsw --n 1000000 --d 128 --classes 1000 --q 1000 --seed 42",
            a => { HnswBench.Prepare(a.String("dir", "/tmp/cm-bench-hnsw"), a.Int("n", 1_000_000), a.Int("d", 128), a.Int("classes", 1000), a.Int("q", 1000), a.Int("seed", 42)); return 0; }),
        ["hnsw-run"] = ("HNSW (USearch) recall@k and QPS per expansion_search next to exact search; --dir /tmp/cm-bench-hnsw --k 10 --threads 2 --ef 16,32,64,128 --m 16 --ef-add 128 --quantization f32 --filter-percent 10",
            a => { HnswBench.Run(a.String("dir", "/tmp/cm-bench-hnsw"), a.Int("k", 10), a.Int("threads", 2), a.String("ef", "16,32,64,128").Split(',').Select(int.Parse).ToArray(),
                a.Int("m", 16), a.Int("ef-add", 128), a.String("quantization", "f32"), a.Int("filter-percent", 10)); return 0; }),
        ["hnsw-upsample"] = ("HNSW data from real embeddings (crossmedia embed .npy + .labels.npy): L2-normalised, gallery upsampled SMOTE-style between same-class neighbours, real queries; --dir /tmp/cm-bench-hnsw-real --gallery a.npy,b.npy --queries c.npy,d.npy --n 1000000 --neighbours 10 --noise 0.1 --seed 42 --metric l2 (cosine: unit-length gallery rows in a cosine index)",
            a => { HnswBench.Upsample(a.String("dir", "/tmp/cm-bench-hnsw-real"), a.String("gallery", "").Split(','), a.String("queries", "").Split(','),
                a.Int("n", 1_000_000), a.Int("neighbours", 10), (float)a.Double("noise", 0.1), a.Int("seed", 42),
                CrossMedia.Core.MetricNames.Parse(a.String("metric", "l2"), "--metric")); return 0; }),
        ["search-prepare"] = ("exact-search data: Gaussian gallery + queries (.npy) and an index file; --dir /tmp/cm-bench-search --n 500000 --d 128 --q 1000 --seed 42",
            a => { SearchBench.Prepare(a.String("dir", "/tmp/cm-bench-search"), a.Int("n", 500_000), a.Int("d", 128), a.Int("q", 1000), a.Int("seed", 42)); return 0; }),
        ["search-run"] = ("exact search timed and compared with FAISS ids and brute force; --dir /tmp/cm-bench-search --k 10 --threads 2 --repeats 3 --brute-force 20 --block-rows 0",
            a => { SearchBench.Run(a.String("dir", "/tmp/cm-bench-search"), a.Int("k", 10), a.Int("threads", 2), a.Int("repeats", 3), a.Int("brute-force", 20), a.Int("block-rows", 0)); return 0; }),
        ["search-latency"] = ("per-request search latency; --index FILE --threads 1 --repeats 50 --batch 1",
            a => { SearchBench.Latency(a.String("index", ""), a.Int("threads", 1), a.Int("repeats", 50), a.Int("batch", 1)); return 0; }),
        ["service-index"] = ("random cosine index for the service load test; --dir /tmp/cm-bench-service --n 100000 --d 128",
            a => { ServiceBench.WriteIndex(a.String("dir", "/tmp/cm-bench-service"), a.Int("n", 100_000), a.Int("d", 128)); return 0; }),
        ["pseudo-zsl"] = ("zero-shot settings scored on pseudo-unseen classes (folds over the seen classes; no test item); --method jfse|cca --dataset wikipedia --data-root ../shared/data --hold-out 2 --folds 5 --epochs 40 --hidden 512 --lr 5e-4 --patience 6 --weights name=value,... --unseen-per-batch 0 --zscore true --seed 1 --threads 1", PseudoZeroShot.Run),
        ["resnet18-throughput"] = ("ImageNet ResNet-18 features (images/s): ours vs ONNX Runtime on the same ONNX file; --threads 2 --n 32 --rounds 3 --batch 16", ResNet18Throughput.Run),
        ["encoders"] = ("every catalog encoder end to end from files (items/s): image, text, audio from --dataset, video from --video-dataset; --threads 2 --n 48 --rounds 2 --frames 8 --dataset tuxpaint:video=false --video-dataset synthetic-media:media=video,video_size=128 --data-root /tmp/cm-bench-encoders", EncoderThroughput.Run),
        ["minilm"] = ("MiniLM text encoder throughput (sentences/s) per batch size; --threads 2 --n 400 --batches 1,8,32", MiniLmBench.Run),
        ["fuzz"] = (Fuzz.FuzzCommand.Help, Fuzz.FuzzCommand.Run),
        ["fuzz-worker"] = ("one fuzz child process (started by fuzz)", Fuzz.FuzzCommand.Worker),
        ["resnet-crosscheck"] = ("imports a PyTorch ResNet written by bench/resnet-step/crosscheck.py and compares outputs; --dir /tmp/resnet-crosscheck --depth 50", ResNetCrossCheck.Run),
    };

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !Modes.TryGetValue(args[0], out var mode))
        {
            Console.Error.WriteLine("usage: CrossMedia.Bench <mode> [--key value ...]; modes:");
            foreach (var (name, (help, _)) in Modes) Console.Error.WriteLine($"  {name}: {help}");
            return 2;
        }
        return mode.Run(new BenchArgs(args.Skip(1).ToArray()));
    }
}
