namespace CrossMedia.Core;

/// <summary>
/// How far a named phase of long work has come (decoding, embedding, extracting features), for a
/// progress display: <paramref name="Done"/> of <paramref name="Total"/> <paramref name="Unit"/>.
/// </summary>
/// <param name="Phase">What is being done, e.g. "decode" or "embed image".</param>
/// <param name="Done">Units finished so far.</param>
/// <param name="Total">Units in the phase; 0 when unknown.</param>
/// <param name="Unit">What is counted, plural: "items", "files", "batches".</param>
public readonly record struct WorkProgress(string Phase, long Done, long Total, string Unit = "items");
