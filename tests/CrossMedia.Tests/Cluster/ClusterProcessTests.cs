using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using CrossMedia.Cluster;
using CrossMedia.Core;
using CrossMedia.Index;
using CrossMedia.Service;
using CrossMedia.Tests.Cli;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Cluster;

/// <summary>Skips when Debian's redis-server is not installed (scripts/install-deps.sh installs it; CI does).</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public const string Server = "/usr/bin/redis-server";

    public RedisFactAttribute()
    {
        if (!File.Exists(Server)) Skip = $"needs {Server} from the Debian package 'redis-server' (scripts/install-deps.sh installs it)";
    }
}

/// <summary>Runs alone: the tuned failure detection (1 s probes) could declare a CPU-starved silo dead while the rest of
/// the suite runs beside it, and a shard call could pass the 5 s response timeout.</summary>
[CollectionDefinition(nameof(ClusterProcessTests), DisableParallelization = true)]
public sealed class ClusterProcessCollection;

/// <summary>
/// The cluster as it runs: a private redis-server on a free loopback port (stopped by PID), 3 `cluster silo` processes
/// and `serve --cluster`, over 8 shards split from an index by `cluster create`.
/// </summary>
[Collection(nameof(ClusterProcessTests))]
public sealed class ClusterProcessTests(ITestOutputHelper output) : IDisposable
{
    private const string ApiKey = "cluster-test-key";
    private readonly string dir = Directory.CreateTempSubdirectory("crossmedia-cluster-proc-").FullName;
    private readonly List<Process> processes = new();

    public void Dispose()
    {
        foreach (var p in processes) Stop(p);
        Directory.Delete(dir, recursive: true);
    }

    [RedisFact]
    public async Task ThreeSilosAnswerExactlyAndKeepChangesAcrossARestart()
    {
        const int dim = 16;
        using var single = ClusterTestData.RandomIndex(Path.Combine(dir, "single.cmi"), 3000, dim, Metric.Cosine, seed: 21);
        var storage = Path.Combine(dir, "storage");
        // Shards with HNSW graphs of few links: "exact": true must still give the single index's exact answers.
        var (code, _, err) = CliProcess.Run(["cluster", "create", "--shards", "8", "--from", single.Path!, "--storage", storage,
            "--ann", "hnsw", "--connectivity", "4", "--expansion-add", "8", "--expansion-search", "4"], output);
        Assert.True(code == 0, err);

        int redisPort = FreePort();
        var membership = $"redis://127.0.0.1:{redisPort}";
        var redis = Track(Process.Start(new ProcessStartInfo(RedisFactAttribute.Server,
            ["--port", redisPort.ToString(), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!);
        _ = redis.StandardOutput.ReadToEndAsync();
        await WaitForPort(redisPort);

        var silos = StartSilos(storage, membership);
        var (_, http) = StartServe(membership);

        // 1,000 exact queries: exactly the single index's ids and scores; without "exact" the shards' graphs answer.
        var queries = ClusterTestData.RandomQueries(1000, dim, seed: 22);
        int approximateDiffer = 0;
        for (int q = 0; q < queries.Rows; q++)
        {
            var expected = single.Search(new Matrix(queries.Row(q).ToArray(), 1, dim), 10)[0];
            var answer = await Search(http, queries.Row(q).ToArray(), 10, exact: true);
            Assert.False(answer.GetProperty("partial").GetBoolean());
            var results = answer.GetProperty("results").EnumerateArray().ToArray();
            Assert.Equal(expected.Select(h => h.Item.Id), results.Select(r => r.GetProperty("id").GetInt64()));
            Assert.Equal(expected.Select(h => h.Score), results.Select(r => r.GetProperty("score").GetSingle()));
            if (q < 100 && !expected.Select(h => h.Item.Id).SequenceEqual(
                    (await Search(http, queries.Row(q).ToArray(), 10)).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64())))
                approximateDiffer++;
        }
        Assert.True(approximateDiffer > 0, "approximate answers all equal the exact ones: the shards searched no graph");

        // Changes through the API: visible on the next search.
        var newVector = ClusterTestData.RandomQueries(1, dim, seed: 23).Row(0).ToArray();
        var add = new HttpRequestMessage(HttpMethod.Post, "/items") { Content = JsonContent.Create(new { vector = newVector, key = "added" }) };
        add.Headers.Add(SearchApp.ApiKeyHeader, ApiKey);
        var added = await http.SendAsync(add);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        long addedId = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        long removedId = single.Search(new Matrix(queries.Row(0).ToArray(), 1, dim), 1)[0][0].Item.Id;
        var remove = new HttpRequestMessage(HttpMethod.Delete, $"/items/{removedId}");
        remove.Headers.Add(SearchApp.ApiKeyHeader, ApiKey);
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(remove)).StatusCode);
        await AssertChanges(http, newVector, addedId, queries.Row(0).ToArray(), removedId);

        // Every silo stopped and started again while the service runs on: it answers 503 or partial meanwhile (each
        // request bounded by the client's timeout), then full answers again, with the changes still there.
        foreach (var p in silos) Stop(p);
        var sinceStop = Stopwatch.StartNew();
        using var outage = new CancellationTokenSource();
        var statuses = new List<string>();
        var poll = Task.Run(async () =>
        {
            while (!outage.IsCancellationRequested)
            {
                var response = await http.PostAsJsonAsync("/search", new { vector = newVector, k = 1 });
                string status = response.StatusCode == HttpStatusCode.OK
                    ? ((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("partial").GetBoolean() ? "partial" : "full")
                    : ((int)response.StatusCode).ToString();
                statuses.Add(status);
                if (status == "full") return sinceStop.Elapsed;
                await Task.Delay(100);
            }
            return TimeSpan.MaxValue;
        });
        StartSilos(storage, membership);
        var silosUp = sinceStop.Elapsed;
        var recovered = await Task.WhenAny(poll, Task.Delay(TimeSpan.FromSeconds(30))) == poll;
        outage.Cancel();
        var full = await poll;  // a request failing (500, a timeout) fails the test here
        output.WriteLine($"silos stopped: {statuses.Count} answers ({string.Join(", ", statuses.CountBy(s => s).Select(kv => $"{kv.Value} {kv.Key}"))}); " +
            $"every silo up again after {silosUp.TotalSeconds:F1} s, a full answer after {full.TotalSeconds:F1} s");
        Assert.True(recovered, $"no full answer within 30 s of the silos' restart: {string.Join(", ", statuses.TakeLast(5))}");
        Assert.All(statuses.SkipLast(1), s => Assert.True(s is "partial" or "503", $"answered {s} while the silos were down"));
        await AssertChanges(http, newVector, addedId, queries.Row(0).ToArray(), removedId);
        http.Dispose();
    }

    [RedisFact]
    public async Task ServeGivesUpInOneLineWhenNoSiloIsUp()
    {
        int redisPort = FreePort();
        var redis = Track(Process.Start(new ProcessStartInfo(RedisFactAttribute.Server,
            ["--port", redisPort.ToString(), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!);
        _ = redis.StandardOutput.ReadToEndAsync();
        await WaitForPort(redisPort);
        // Orleans' client start alone would wait forever.
        var (code, stdout, stderr) = CliProcess.Run(["serve", "--cluster", $"redis://127.0.0.1:{redisPort}", "--urls", $"http://127.0.0.1:{FreePort()}"], output);
        Assert.Equal(1, code);
        Assert.Contains("no silo of the cluster", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.DoesNotContain("serving", stdout);
    }

    private static async Task AssertChanges(HttpClient http, float[] newVector, long addedId, float[] query, long removedId)
    {
        var first = (await Search(http, newVector, 1)).GetProperty("results")[0];
        Assert.Equal(addedId, first.GetProperty("id").GetInt64());
        Assert.Equal("added", first.GetProperty("key").GetString());
        var ids = (await Search(http, query, 10)).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64());
        Assert.DoesNotContain(removedId, ids);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/items/{removedId}")).StatusCode);
    }

    private static async Task<JsonElement> Search(HttpClient http, float[] vector, int k, bool exact = false)
    {
        var response = await http.PostAsJsonAsync("/search", new { vector, k, exact });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private List<Process> StartSilos(string storage, string membership)
    {
        var silos = Enumerable.Range(0, 3).Select(_ => Track(CliProcess.Start(["cluster", "silo", "--storage", storage, "--membership", membership,
            "--silo-port", FreePort().ToString(), "--gateway-port", FreePort().ToString()]))).ToList();
        foreach (var silo in silos) WaitForLine(silo, "silo up");
        return silos;
    }

    private (Process, HttpClient) StartServe(string membership)
    {
        int port = FreePort();
        var serve = Track(CliProcess.Start(["serve", "--cluster", membership, "--urls", $"http://127.0.0.1:{port}", "--rate-limit", "0"],
            new Dictionary<string, string> { [SearchApp.ApiKeyEnvironment] = ApiKey }));
        WaitForLine(serve, "serving");
        return (serve, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(15) });
    }

    private Process Track(Process p)
    {
        processes.Add(p);
        return p;
    }

    /// <summary>Reads the child's output until a line holds <paramref name="text"/> (at most 2 minutes).</summary>
    private void WaitForLine(Process p, string text)
    {
        var stderr = p.StandardError.ReadToEndAsync();
        var watch = Stopwatch.StartNew();
        var read = Task.Run(() =>
        {
            while (p.StandardOutput.ReadLine() is { } line)
                if (line.Contains(text)) return true;
            return false;
        });
        if (!read.Wait(TimeSpan.FromMinutes(2)) || !read.Result)
        {
            Stop(p);
            Assert.Fail($"no '{text}' from the child: {stderr.Result}");
        }
        output.WriteLine($"'{text}' after {watch.Elapsed.TotalSeconds:F1} s");
        _ = p.StandardOutput.ReadToEndAsync();  // the rest (request log, warnings), so a full pipe never blocks the child
    }

    private static void Stop(Process p)
    {
        try { if (!p.HasExited) { p.Kill(); p.WaitForExit(10_000); } }
        catch (InvalidOperationException) { }
    }

    private static async Task WaitForPort(int port)
    {
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) { await Task.Delay(100); }
        }
        Assert.Fail($"redis-server did not listen on port {port}");
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
