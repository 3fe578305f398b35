using System.CommandLine;
using CrossMedia.Cluster;
using CrossMedia.Index;
using Microsoft.Extensions.Hosting;

namespace CrossMedia.Cli.Commands;

/// <summary>`crossmedia cluster`: an index sharded over an Orleans cluster (silos, and splitting an index into shards).</summary>
internal static class ClusterCommand
{
    public static Command Create()
    {
        var command = new Command("cluster", "An index sharded over an Orleans cluster: 'serve --cluster' answers from it.");
        command.Subcommands.Add(Silo());
        command.Subcommands.Add(CreateShards());
        return command;
    }

    private static Command Silo()
    {
        var storage = new Option<string>("--storage") { Description = "Storage folder of the shards (from 'cluster create'; shared by every silo).", Required = true };
        var membership = new Option<string>("--membership") { Description = "Membership table: redis://HOST:PORT (Redis 7).", Required = true };
        var siloPort = new Option<int>("--silo-port") { Description = "Port for silo-to-silo traffic (loopback).", DefaultValueFactory = _ => 11111 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Port clients ('serve --cluster') connect to (loopback).", DefaultValueFactory = _ => 30000 };
        var c = new Command("silo", "Run a silo: it hosts shard grains, which open their index files from the storage folder; " +
            "a failed silo's shards reopen on the others.") { storage, membership, siloPort, gatewayPort };
        c.SetAction(parse =>
        {
            var folder = parse.GetValue(storage)!;
            var layout = ShardLayout.Read(folder);  // refuses a folder without a cluster before joining
            foreach (var (name, port) in new[] { ("--silo-port", parse.GetValue(siloPort)), ("--gateway-port", parse.GetValue(gatewayPort)) })
                if (port is < 1 or > 65535) throw new InputException(name, "", "1..65535", port.ToString());
            using var host = ClusterHosting.BuildSilo(folder, parse.GetValue(membership)!, parse.GetValue(siloPort), parse.GetValue(gatewayPort));
            host.Start();
            parse.InvocationConfiguration.Output.WriteLine(
                $"silo up: {layout.Shards} shards in {Path.GetFullPath(folder)}, gateway 127.0.0.1:{parse.GetValue(gatewayPort)} (Ctrl+C to stop)");
            host.WaitForShutdown();
            return 0;
        });
        return c;
    }

    private static Command CreateShards()
    {
        var shards = new Option<int>("--shards") { Description = $"Number of shards (1..{ShardLayout.MaxShards}); item id g goes to shard g mod N.", Required = true };
        var from = new Option<string>("--from") { Description = "Index file to split (from 'index build').", Required = true };
        var storage = new Option<string>("--storage") { Description = "Storage folder to create the shards in (DIR/shard-K/index.cmi, DIR/cluster.json).", Required = true };
        var ann = new AnnOptions();
        ann.Ann.Description = "Approximate search on every shard: 'hnsw' builds an HNSW graph beside each shard's vectors " +
            "(the vectors stay the source of truth: \"exact\": true in a search scans them); 'none' writes exact-only shards. " +
            "Default: the source index's settings.";
        var c = new Command("create", "Split an index into the shards of a cluster's storage folder.") { shards, from, storage };
        ann.AddTo(c);
        c.SetAction(parse =>
        {
            if (parse.GetValue(shards) is < 1 or > ShardLayout.MaxShards)
                throw new InputException("--shards", "", $"1..{ShardLayout.MaxShards}", parse.GetValue(shards).ToString());
            using var index = EmbeddingIndex.Open(parse.GetValue(from)!);
            var (change, settings) = ann.Read(parse, index.Ann);
            settings?.Validate();
            if (!change) settings = index.Ann;  // the shards search as the source index did
            var split = ShardSplitter.Split(index, parse.GetValue(shards), parse.GetValue(storage)!, settings);
            var counts = split.Counts;
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"{counts.Sum()} items in {counts.Length} shards ({string.Join(", ", counts)}) in {Path.GetFullPath(parse.GetValue(storage)!)}");
            if (settings is not null)
                o.WriteLine($"HNSW graphs ({AnnOptions.Describe(settings)}{(change ? "" : "; as the source index")}) in " +
                    $"{split.GraphBuild.Sum(t => t.TotalSeconds):F1} s ({string.Join(", ", split.GraphBuild.Select(t => $"{t.TotalSeconds:F1}"))} s per shard)");
            return 0;
        });
        return c;
    }
}
