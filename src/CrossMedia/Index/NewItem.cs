namespace CrossMedia.Index;

/// <summary>An item to add; the index assigns its id.</summary>
/// <param name="Key">The item's own id (dataset id or file name).</param>
/// <param name="Medium">Medium name.</param>
/// <param name="Label">Class index, or -1 when unknown.</param>
/// <param name="Source">Media file path; empty for feature-only items.</param>
public sealed record NewItem(string Key, string Medium, int Label = -1, string Source = "");
