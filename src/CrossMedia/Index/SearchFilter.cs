namespace CrossMedia.Index;

/// <summary>Restricts a search to some items.</summary>
/// <param name="Media">Only items of these media; null for all.</param>
/// <param name="Labels">Only items with these labels (-1: unlabelled items); null for all.</param>
public sealed record SearchFilter(IReadOnlySet<string>? Media = null, IReadOnlySet<int>? Labels = null)
{
    public bool IsEmpty => Media is null && Labels is null;

    /// <summary>Whether the filter lets <paramref name="item"/> through.</summary>
    public bool Allows(IndexItem item) => (Media is null || Media.Contains(item.Medium)) && (Labels is null || Labels.Contains(item.Label));
}
