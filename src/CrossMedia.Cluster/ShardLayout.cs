using System.Globalization;
using System.Text.Json;
using CrossMedia.Core;

namespace CrossMedia.Cluster;

/// <summary>
/// How a sharded index lays out items: N shards, item id g lives in shard g mod N, where the shard's own index
/// knows it as local id g div N. The map keeps id order within a shard, so a shard's ties (lower local id first)
/// are the cluster's ties (lower id first). A shard's new items get local ids past its last, hence cluster-wide
/// ids that no other shard can give. The storage folder holds <c>cluster.json</c> and <c>shard-K/index.cmi</c>.
/// </summary>
public sealed record ShardLayout(int Shards)
{
    public const string FileName = "cluster.json";
    public const int MaxShards = 4096;

    public int ShardOf(long id) => (int)(id % Shards);
    public long LocalId(long id) => id / Shards;
    public long GlobalId(int shard, long local) => local * Shards + shard;

    public static string ShardFolder(string storage, int shard) => Path.Combine(storage, "shard-" + shard.ToString(CultureInfo.InvariantCulture));
    public static string ShardIndex(string storage, int shard) => Path.Combine(ShardFolder(storage, shard), "index.cmi");

    /// <summary>The layout of a storage folder (written by <c>cluster create</c>).</summary>
    public static ShardLayout Read(string storage)
    {
        var file = Path.Combine(storage, FileName);
        if (!File.Exists(file)) throw new InputException(storage, FileName, "a cluster storage folder (made by 'cluster create')", "no " + FileName);
        int shards;
        try { shards = JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("shards").GetInt32(); }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InputException(file, "shards", "a JSON object with the shard count", "something else");
        }
        if (shards < 1 || shards > MaxShards) throw new InputException(file, "shards", $"1..{MaxShards}", shards.ToString(CultureInfo.InvariantCulture));
        return new ShardLayout(shards);
    }

    public void Write(string storage) =>
        AtomicFile.WriteAllText(Path.Combine(storage, FileName), $"{{\"shards\": {Shards.ToString(CultureInfo.InvariantCulture)}}}\n");
}
