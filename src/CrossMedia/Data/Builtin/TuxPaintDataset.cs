using System.Security.Cryptography;
using System.Text;
using CrossMedia.Core;

namespace CrossMedia.Data.Builtin;

/// <summary>
/// Real raw media from Debian's tuxpaint-stamps-default: clip-art pictures (medium "image"),
/// their English descriptions (".txt" first line; medium "text"), their sounds (medium "audio")
/// and a derived video per picture (medium "video-derived": a 2-second pan and zoom made by
/// ffmpeg — derived from the pictures, not independent footage). Labels are stamp folders at
/// <see cref="TuxPaintOptions.LabelDepth"/>. Every medium of a stamp shares the stamp's id and split.
///
/// Audio holds each stamp's own sound (`name.ogg|wav`: bird calls, animal and object noises,
/// spoken letters and numbers). The spoken descriptions (`name_desc*.ogg`) are left out by
/// default: they are a narrator reading the text medium aloud (in up to a dozen languages), so
/// they would turn audio retrieval into speech recognition of the text and duplicate stamps;
/// <see cref="TuxPaintOptions.IncludeSpokenDescriptions"/> adds the English ones.
///
/// Split: per class, stamps with a sound first (so audio is spread over the splits too), each
/// group shuffled with the seed, then assigned in the repeating order test, val, train... that
/// keeps every prefix at the requested fractions (20 % / 20 % / 60 % by default).
/// </summary>
public static class TuxPaintDataset
{
    public const string Name = "tuxpaint";

    /// <summary>Reads the stamps and builds the dataset (generating derived videos into the cache when asked).</summary>
    public static Dataset Build(TuxPaintOptions? options = null, IProgress<string>? progress = null) =>
        BuildWithProblems(options, progress).Dataset;

    /// <summary>As <see cref="Build"/>, also returning the stamps whose derived video could not be made.</summary>
    public static (Dataset Dataset, IReadOnlyList<Media.MediaProblem> Problems) BuildWithProblems(TuxPaintOptions? options = null, IProgress<string>? progress = null)
    {
        options ??= new TuxPaintOptions();
        options.Validate();
        var stamps = TuxPaintStamp.Discover(options.StampsRoot)
            .Where(s => options.Categories is null || options.Categories.Contains(s.Folders[0]))
            .ToArray();
        var byClass = stamps.GroupBy(s => s.ClassAt(options.LabelDepth))
            .Where(g => g.Count() >= options.MinStampsPerClass)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToArray();
        if (byClass.Length < 2)
            throw new InputException(options.StampsRoot, "classes", $"at least 2 classes with {options.MinStampsPerClass}+ stamps", byClass.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var classNames = byClass.Select(g => g.Key).ToArray();

        var chosen = new List<(TuxPaintStamp Stamp, int Label, Split Split)>();
        for (int label = 0; label < byClass.Length; label++)
        {
            var ordered = Shuffle(byClass[label].Where(s => s.Sound is not null), options.Seed, classNames[label] + "|sound")
                .Concat(Shuffle(byClass[label].Where(s => s.Sound is null), options.Seed, classNames[label] + "|silent"))
                .ToArray();
            if (options.MaxStampsPerClass > 0) ordered = ordered.Take(options.MaxStampsPerClass).ToArray();
            var splits = StratifiedSplits(ordered.Length, options.ValFraction, options.TestFraction);
            for (int i = 0; i < ordered.Length; i++) chosen.Add((ordered[i], label, splits[i]));
        }
        chosen = chosen.OrderBy(c => c.Stamp.Id, StringComparer.Ordinal).ToList();

        var media = new List<Medium>
        {
            Make("image", chosen.Select(c => (c.Stamp.Picture, c.Label, c.Split, c.Stamp.Id))),
            Make("text", chosen.Where(c => c.Stamp.Description is not null).Select(c => (c.Stamp.Description!, c.Label, c.Split, c.Stamp.Id))),
        };
        var audio = new List<(string, int, Split, string)>();
        foreach (var c in chosen)
        {
            if (c.Stamp.Sound is not null) audio.Add((c.Stamp.Sound, c.Label, c.Split, c.Stamp.Id));
            if (options.IncludeSpokenDescriptions && c.Stamp.SpokenDescription is not null)
                audio.Add((c.Stamp.SpokenDescription, c.Label, c.Split, c.Stamp.Id + "#desc"));
        }
        if (audio.Count > 0) media.Add(Make("audio", audio));
        var problems = new List<Media.MediaProblem>();
        if (options.DerivedVideo)
        {
            var videos = TuxPaintVideo.Generate(chosen.Select(c => c.Stamp).ToArray(), options, problems, progress);
            media.Add(Make("video-derived", chosen.Where(c => videos.ContainsKey(c.Stamp.Id))
                .Select(c => (videos[c.Stamp.Id], c.Label, c.Split, c.Stamp.Id))));
        }
        media = media.Where(m => m.Count > 0).ToList();
        // Source files only: derived videos are made from the pictures (their settings are in the cache key).
        var checksums = media.Where(m => m.Name != "video-derived").ToDictionary(
            m => $"{m.Name}: {m.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)} files under {options.StampsRoot}",
            m => Checksum.Sha256Files(m.Files!, options.StampsRoot));
        return (new Dataset(Name, media, classNames, checksums: checksums), problems);
    }

    /// <summary>
    /// Splits for n items in order: item i goes to test while fewer than ⌈(i+1)·test⌉ are test, else to
    /// val while fewer than ⌈(i+1)·val⌉ are val, else to train.
    /// </summary>
    public static Split[] StratifiedSplits(int n, double valFraction, double testFraction)
    {
        var splits = new Split[n];
        int tests = 0, vals = 0;
        for (int i = 0; i < n; i++)
        {
            if (tests < Math.Ceiling((i + 1) * testFraction - 1e-9)) { splits[i] = Split.Test; tests++; }
            else if (vals < Math.Ceiling((i + 1) * valFraction - 1e-9)) { splits[i] = Split.Val; vals++; }
            else splits[i] = Split.Train;
        }
        return splits;
    }

    private static Medium Make(string name, IEnumerable<(string File, int Label, Split Split, string Id)> items)
    {
        var list = items.ToArray();
        return new Medium(name, null, list.Select(i => i.File).ToArray(), list.Select(i => i.Label).ToArray(),
            list.Select(i => i.Split).ToArray(), list.Select(i => i.Id).ToArray());
    }

    /// <summary>A seeded Fisher–Yates shuffle of the items sorted by id; the key keeps groups independent.</summary>
    private static List<TuxPaintStamp> Shuffle(IEnumerable<TuxPaintStamp> items, int seed, string key)
    {
        var list = items.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        var rng = new Random(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}|{key}")), 0));
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
        return list;
    }
}
