namespace CrossMedia.Index;

/// <summary>One result: the item and its score (similarity, or squared distance for L2).</summary>
public sealed record SearchHit(IndexItem Item, float Score);
