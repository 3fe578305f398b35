using System.Globalization;
using CrossMedia.Bench;

// Usage:
//   search-prepare DIR [N=1000000] [D=128] [Q=1000] [SEED=42]
//   search-run DIR [K=10] [THREADS=2] [REPEATS=3] [BRUTE_FORCE_QUERIES=20] [BLOCK_ROWS=0]
//   service-index DIR [N=100000] [D=128]   (an index for the service load test)
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
switch (args.FirstOrDefault())
{
    case "search-prepare":
        SearchBench.Prepare(args[1], Arg(2, 1_000_000), Arg(3, 128), Arg(4, 1000), Arg(5, 42));
        return 0;
    case "search-run":
        SearchBench.Run(args[1], Arg(2, 10), Arg(3, 2), Arg(4, 3), Arg(5, 20), Arg(6, 0));
        return 0;
    case "latency":
        SearchBench.Latency(args[1], Arg(2, 1), Arg(3, 50), Arg(4, 1));
        return 0;
    case "service-index":
        ServiceBench.WriteIndex(args[1], Arg(2, 100_000), Arg(3, 128));
        return 0;
    default:
        Console.Error.WriteLine("usage: search-prepare DIR [N D Q SEED] | search-run DIR [K THREADS REPEATS BRUTE_FORCE_QUERIES BLOCK_ROWS] | service-index DIR [N D]");
        return 2;
}
