namespace CrossMedia.Evaluation;

/// <summary>Mean AP of the queries of one class (so users see which classes a model fails on).</summary>
/// <param name="Label">The class.</param>
/// <param name="Map">Mean AP over the queries carrying this label.</param>
/// <param name="Queries">How many queries carry it.</param>
public sealed record ClassAveragePrecision(int Label, double Map, int Queries);
