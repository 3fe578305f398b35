using System.CommandLine;
using CrossMedia;
using CrossMedia.Cluster;
using CrossMedia.Index;
using CrossMedia.Models;
using CrossMedia.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;

namespace CrossMedia.Cli.Commands;

/// <summary>`crossmedia serve`: the HTTP search service and web page over an index.</summary>
internal static class ServeCommand
{
    public static Command Create(Func<string, IEmbeddingModel>? loadModel = null)
    {
        loadModel ??= ModelStore.Load;
        var index = new Option<string?>("--index") { Description = "Index file (from 'index build'); or --cluster." };
        var cluster = new Option<string?>("--cluster") { Description = "Answer from an index sharded over a cluster instead: its membership, redis://HOST:PORT ('cluster silo'). " +
            "\"exact\": true scans every shard's vectors (no HNSW); while shards or all silos are down answers say \"partial\": true, " +
            "and full answers return by themselves once silos are up again." };
        var model = new Option<string?>("--model") { Description = "Model directory the index was built with (without it only common-space vectors can be searched)." };
        var urls = new Option<string>("--urls") { Description = "Address(es) to listen on, ';'-separated; loopback only unless --allow-remote.", DefaultValueFactory = _ => "http://127.0.0.1:5005" };
        var allowRemote = new Option<bool>("--allow-remote") { Description = "Allow listening on non-loopback addresses." };
        var allowedHosts = new Option<string?>("--allowed-hosts")
        {
            Description = "Host names requests may use, ';'-separated (default: AllowedHosts from the configuration, else localhost;127.0.0.1;[::1] on loopback and any host otherwise).",
        };
        var maxK = new Option<int>("--max-k") { Description = "Largest k a search may ask for.", DefaultValueFactory = _ => 100 };
        var maxBody = new Option<long>("--max-body") { Description = "Largest request body in bytes (base64 files included).", DefaultValueFactory = _ => 16L << 20 };
        var rate = new Option<int>("--rate-limit") { Description = "Requests per second per client address (0: no limit).", DefaultValueFactory = _ => 100 };
        var threads = new Option<int>("--threads") { Description = "Threads per search (0: all cores).", DefaultValueFactory = _ => 0 };
        var c = new Command("serve", $"Serve search over HTTP: JSON API (POST /search, /items, /health, /openapi/v1.json) and a web page at /. " +
            $"POST/DELETE /items need the key from {SearchApp.ApiKeyEnvironment} (or CrossMedia:ApiKey) in the {SearchApp.ApiKeyHeader} header; without a key they are disabled. " +
            "Prints one line per request (method, path, status, milliseconds).")
        {
            index, cluster, model, urls, allowRemote, allowedHosts, maxK, maxBody, rate, threads,
        };
        c.SetAction(parse =>
        {
            if (parse.GetValue(maxK) is < 1 or > Searcher.KLimit) throw new InputException("--max-k", "", $"1..{Searcher.KLimit}", parse.GetValue(maxK).ToString());
            if (parse.GetValue(maxBody) < 1024) throw new InputException("--max-body", "", "at least 1024 bytes", parse.GetValue(maxBody).ToString());
            if (parse.GetValue(rate) < 0) throw new InputException("--rate-limit", "", "0 or more", parse.GetValue(rate).ToString());
            if ((parse.GetValue(index) is null) == (parse.GetValue(cluster) is null))
                throw new InputException("--index", "", "either --index or --cluster", parse.GetValue(index) is null ? "neither" : "both");
            var modelDir = parse.GetValue(model);
            var options = new ServiceOptions(Urls: parse.GetValue(urls)!, MaxK: parse.GetValue(maxK), MaxBodyBytes: parse.GetValue(maxBody),
                RequestsPerSecond: parse.GetValue(rate), AllowRemote: parse.GetValue(allowRemote), AllowedHosts: parse.GetValue(allowedHosts),
                RequestLog: parse.InvocationConfiguration.Output);
            if (parse.GetValue(cluster) is { } membership)
                return ServeCluster(membership, modelDir is null ? null : loadModel(modelDir), modelDir, options, parse.InvocationConfiguration.Output);
            using var idx = EmbeddingIndex.Open(parse.GetValue(index)!);
            idx.Threads = parse.GetValue(threads);
            using var mm = modelDir is null ? null : loadModel(modelDir);
            if (mm is not null) ModelIdentity.Check(idx, mm, modelDir!);
            using var app = SearchApp.Build(idx, new QueryEncoder(mm, idx.Dimension), options);
            // The addresses Kestrel bound, which the configuration (Kestrel:Endpoints) may have changed.
            var bound = SearchApp.StartAsync(app).GetAwaiter().GetResult();
            parse.InvocationConfiguration.Output.WriteLine($"serving {idx.Count} items on {string.Join(";", bound)} (Ctrl+C to stop)");
            app.WaitForShutdown();
            return 0;
        });
        return c;
    }

    /// <summary>Serves from the cluster: the client starts once a silo answers (bounded wait), then learns the shards.</summary>
    private static int ServeCluster(string membership, IEmbeddingModel? model, string? modelDir, ServiceOptions options, TextWriter output)
    {
        using var mm = model;
        using var client = ClusterHosting.StartClientAsync(membership, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        var cluster = ClusterIndex.ConnectAsync(client.Services.GetRequiredService<IClusterClient>(), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        if (mm is not null)
            using (var shape = EmbeddingIndex.Create(cluster.Header)) ModelIdentity.Check(shape, mm, modelDir!);
        using var app = SearchApp.BuildForCluster(cluster, new QueryEncoder(mm, cluster.Dimension), options);
        var bound = SearchApp.StartAsync(app).GetAwaiter().GetResult();
        output.WriteLine($"serving {cluster.Layout.Shards} shards of the cluster at {membership} on {string.Join(";", bound)} (Ctrl+C to stop)");
        app.WaitForShutdown();
        client.StopAsync().GetAwaiter().GetResult();
        return 0;
    }
}
