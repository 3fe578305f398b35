namespace CrossMedia.Index;

/// <summary>Live items per medium and per label (label -1: unlabelled); media and labels without items are left out.</summary>
public sealed record ItemCounts(IReadOnlyDictionary<string, int> ByMedium, IReadOnlyDictionary<int, int> ByLabel)
{
    public int Total => ByMedium.Values.Sum();
}
