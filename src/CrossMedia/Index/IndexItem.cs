namespace CrossMedia.Index;

/// <summary>Metadata of one indexed item.</summary>
/// <param name="Id">Index-wide numeric id: assigned in insertion order, never reused, kept by compaction.</param>
/// <param name="Key">The item's own id (dataset id or file path relative to the indexed folder).</param>
/// <param name="Medium">Medium name, one of the index's media.</param>
/// <param name="Label">Class index, or -1 when unknown.</param>
/// <param name="Source">Path of the media file the item came from; empty for feature-only items.</param>
public sealed record IndexItem(long Id, string Key, string Medium, int Label, string Source);
