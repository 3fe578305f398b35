namespace CrossMedia.Index;

/// <summary>Restricts a search to some items.</summary>
/// <param name="Media">Only items of these media; null for all.</param>
/// <param name="Labels">Only items with these labels; null for all.</param>
public sealed record SearchFilter(IReadOnlySet<string>? Media = null, IReadOnlySet<int>? Labels = null)
{
    public bool IsEmpty => Media is null && Labels is null;
}
