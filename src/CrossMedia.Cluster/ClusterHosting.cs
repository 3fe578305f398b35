using System.Net;
using CrossMedia.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace CrossMedia.Cluster;

/// <summary>
/// Silo and client settings of a CrossMedia cluster. Failure detection is tuned from Orleans' defaults (a dead silo
/// declared after 12–16 s, in-flight calls hanging 30 s) to: dead after ~0.6 s, in-flight calls failing after 5 s.
/// </summary>
public static class ClusterHosting
{
    public const string ClusterId = "crossmedia";
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The Redis endpoint of a membership URI <c>redis://HOST:PORT</c>.</summary>
    public static string RedisEndpoint(string membership)
    {
        if (!Uri.TryCreate(membership, UriKind.Absolute, out var uri) || uri.Scheme != "redis" || uri.Port <= 0 || uri.AbsolutePath is not ("" or "/"))
            throw new InputException("membership", "", "redis://HOST:PORT", InputException.Excerpt(membership));
        return $"{uri.Host}:{uri.Port}";
    }

    /// <summary>Shard grains, their placement and, with a membership table, the tuned failure detection; <paramref name="membership"/>
    /// null: the caller sets clustering and keeps Orleans' lenient defaults (the in-process test cluster, which shares CPUs
    /// with the whole test suite: 1 s probes could declare a starved silo dead there).</summary>
    public static void ConfigureSilo(ISiloBuilder silo, string storage, string? membership)
    {
        silo.Configure<ShardStorageOptions>(o => o.Folder = Path.GetFullPath(storage));
        silo.Services.AddPlacementDirector<ShardPlacementStrategy, ShardPlacementDirector>();
        if (membership is null) return;
        silo.UseRedisClustering(RedisEndpoint(membership));
        silo.Configure<ClusterOptions>(o => { o.ClusterId = ClusterId; o.ServiceId = ClusterId; });
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout);
    }

    public static void ConfigureClient(IClientBuilder client, string membership)
    {
        client.UseRedisClustering(RedisEndpoint(membership));
        client.Configure<ClusterOptions>(o => { o.ClusterId = ClusterId; o.ServiceId = ClusterId; });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout);
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
    }

    /// <summary>A silo host on loopback ports (not started).</summary>
    public static IHost BuildSilo(string storage, string membership, int siloPort, int gatewayPort) =>
        Host.CreateDefaultBuilder([])
            .UseOrleans(silo =>
            {
                ConfigureSilo(silo, storage, membership);
                silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
            })
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .Build();

    /// <summary>
    /// A started cluster client. Orleans' client start blocks forever while no silo is up, so the start is bounded:
    /// after <paramref name="timeout"/> it is abandoned with a clear error.
    /// </summary>
    public static async Task<IHost> StartClientAsync(string membership, TimeSpan timeout)
    {
        var host = Host.CreateDefaultBuilder([])
            .UseOrleansClient(client => ConfigureClient(client, membership))
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Error))
            .Build();
        using var cts = new CancellationTokenSource(timeout);
        var start = host.StartAsync(cts.Token);
        if (await Task.WhenAny(start, Task.Delay(timeout + TimeSpan.FromSeconds(1))) != start || start.IsCanceled || start.IsFaulted)
        {
            _ = start.ContinueWith(t => t.Exception, TaskScheduler.Default);  // observed: the abandoned start may fail later
            host.Dispose();
            throw new ClusterUnavailableException($"no silo of the cluster at {membership} answered within {timeout.TotalSeconds:0} s (start silos with 'cluster silo' first)");
        }
        return host;
    }
}

/// <summary>The cluster cannot be reached at all (no silo answers); a runtime failure, not bad input.</summary>
public sealed class ClusterUnavailableException(string message) : Exception(message);
