using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace CrossMedia.Cluster;

/// <summary>Places shard K on the K-th silo (mod the silo count, silos in address order), so N shards spread evenly
/// (Orleans' default random placement put 8 shards 4/2/2 on 3 silos).</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class ShardPlacementStrategy : PlacementStrategy
{
    internal static readonly ShardPlacementStrategy Singleton = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ShardPlacementAttribute() : PlacementAttribute(ShardPlacementStrategy.Singleton);

internal sealed class ShardPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target).OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToArray();
        long key = target.GrainIdentity.GetIntegerKey();
        return Task.FromResult(silos[(int)(Math.Abs(key) % silos.Length)]);
    }
}
