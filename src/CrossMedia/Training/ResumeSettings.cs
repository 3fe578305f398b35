using System.Globalization;
using System.Text;
using CrossMedia.Core;
using CrossMedia.Data;

namespace CrossMedia.Training;

/// <summary>
/// The settings that shape a training run, as name → value, recorded in every checkpoint: a resume
/// under other settings is refused with one error naming each setting that differs. One mechanism for
/// every trainer (JFSE, FGCrossNet).
/// </summary>
internal static class ResumeSettings
{
    /// <summary>
    /// The training data's identity: train+val item counts per medium and a hash of their ids, labels and
    /// splits (the test split does not shape training).
    /// </summary>
    public static string ItemsOf(IEnumerable<Medium> media)
    {
        var text = new StringBuilder();
        var counts = new List<string>();
        foreach (var m in media)
        {
            for (int i = 0; i < m.Count; i++)
                if (m.Splits[i] != Split.Test) text.Append(CultureInfo.InvariantCulture, $"{m.Name}\t{m.Ids[i]}\t{m.Labels[i]}\t{m.Splits[i]}\n");
            counts.Add($"{m.Name} {m.RowsOf(Split.Train).Length}+{m.RowsOf(Split.Val).Length}");
        }
        return string.Join(" ", counts) + " #" + Checksum.Sha256(text.ToString())[..16];
    }

    /// <summary>
    /// Throws <see cref="InputException"/> naming every setting that differs between the checkpoint in
    /// <paramref name="checkpoint"/> (<paramref name="saved"/>) and this run (<paramref name="current"/>).
    /// </summary>
    public static void Check(string checkpoint, IReadOnlyDictionary<string, string> saved, IReadOnlyDictionary<string, string> current)
    {
        var differing = saved.Keys.Union(current.Keys).Where(k => saved.GetValueOrDefault(k) != current.GetValueOrDefault(k)).ToArray();
        if (differing.Length > 0)
            throw new InputException(checkpoint, "training options",
                string.Join(", ", differing.Select(k => $"{k}={saved.GetValueOrDefault(k) ?? "(none)"}")) + " as when the checkpoint was written",
                string.Join(", ", differing.Select(k => $"{k}={current.GetValueOrDefault(k) ?? "(none)"}")));
    }
}
