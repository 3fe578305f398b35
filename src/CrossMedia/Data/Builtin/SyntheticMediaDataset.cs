using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CrossMedia.Core;
using CrossMedia.Media;

namespace CrossMedia.Data.Builtin;

/// <summary>
/// The built-in raw-media benchmark "synthetic-media": real files written into a cache folder —
/// per class, PNG pictures of a class shape and colour (position, size, rotation and hue jitter
/// over background noise), 16-bit PCM WAV clips of a class tone or chirp (pitch jitter, noise),
/// TXT descriptions from template sentences with class words among shared filler words, and
/// MP4 videos of the class shape moving in a class direction. Deterministic per seed: every
/// item draws from its own random generator seeded by (seed, medium, class, split, index), so
/// neither the generation order nor the worker count changes a file.
/// Layout: ROOT/synthetic-media/&lt;settings hash&gt;/&lt;medium&gt;/&lt;split&gt;/&lt;class&gt;/&lt;index&gt;.&lt;ext&gt;, plus
/// manifest.txt written last (a folder without it is regenerated).
/// </summary>
public static class SyntheticMediaDataset
{
    public const string Name = "synthetic-media";

    private static readonly string[] Places = ["table", "window", "river", "garden", "station", "hill", "market", "bridge"];
    private static readonly string[] Fillers = ["small", "large", "old", "new", "distant", "nearby", "plain", "shiny"];
    private static readonly string[] Templates =
    [
        "A {0} {1} shape rests near the {4}.",
        "Someone drew a {2} {0} {1} beside a {5} {4}.",
        "The {1} is {0} and looks {2}.",
        "You can hear something {3} while the {0} {1} waits by the {4}.",
        "This {5} picture shows one {1}, coloured {0}.",
    ];

    /// <summary>The default cache root: <see cref="UserCache.Root"/>.</summary>
    public static string DefaultRoot() => UserCache.Root();

    /// <summary>The folder the files of these options live in under <paramref name="root"/>.</summary>
    public static string FolderOf(string root, SyntheticMediaOptions options)
    {
        var hash = Checksum.Sha256(options.Fingerprint())[..16];
        return Path.Combine(root, Name, $"seed{options.Seed.ToString(CultureInfo.InvariantCulture)}-{hash}");
    }

    /// <summary>Writes the files (unless already complete) and returns the dataset over them.</summary>
    public static Dataset Build(string? root = null, SyntheticMediaOptions? options = null)
    {
        options ??= new SyntheticMediaOptions();
        options.Validate();
        var folder = FolderOf(root ?? DefaultRoot(), options);
        var classes = Enumerable.Range(0, options.Classes).Select(k => SyntheticMediaClass.Create(k, options.Classes)).ToArray();
        var items = Items(options, classes);
        var manifest = Path.Combine(folder, "manifest.txt");
        if (!File.Exists(manifest) || items.Any(i => !File.Exists(Path.Combine(folder, i.RelativePath))))
        {
            Parallel.ForEach(items, new ParallelOptions { MaxDegreeOfParallelism = options.Workers },
                item => Write(Path.Combine(folder, item.RelativePath), item, classes[item.Class], options));
            AtomicFile.WriteAllText(manifest,
                $"# {Name} {options.Fingerprint()}\n" + string.Join("\n", items.Select(i => i.RelativePath)) + "\n");
        }
        var media = options.Media.Select(m =>
        {
            var mine = items.Where(i => i.Medium == m).ToArray();
            return new Medium(m, null, mine.Select(i => Path.Combine(folder, i.RelativePath)).ToArray(),
                mine.Select(i => i.Class).ToArray(), mine.Select(i => i.Split).ToArray(), mine.Select(i => i.Id).ToArray());
        }).ToArray();
        var checksums = new Dictionary<string, string> { [manifest] = Checksum.Sha256File(manifest) };
        return new Dataset(Name, media, classes.Select(c => c.Name).ToArray(), checksums: checksums);
    }

    private sealed record Item(string Medium, int Class, Split Split, int Index, string Id, string RelativePath);

    private static Item[] Items(SyntheticMediaOptions o, SyntheticMediaClass[] classes)
    {
        var list = new List<Item>();
        foreach (var medium in o.Media)
        {
            var ext = medium switch { "image" => ".png", "text" => ".txt", "audio" => ".wav", _ => ".mp4" };
            foreach (var c in classes)
                foreach (var (split, count) in new[] { (Split.Train, o.TrainPerClass), (Split.Val, o.ValPerClass), (Split.Test, o.TestPerClass) })
                    for (int i = 0; i < count; i++)
                    {
                        var rel = Path.Combine(medium, split.Name(), c.Name, i.ToString("000", CultureInfo.InvariantCulture) + ext);
                        var id = $"{medium}/{split.Name()}/{c.Name}/{i.ToString("000", CultureInfo.InvariantCulture)}";
                        list.Add(new Item(medium, c.Index, split, i, id, rel));
                    }
        }
        return list.ToArray();
    }

    /// <summary>A random generator that depends only on the seed and the item.</summary>
    private static Random RandomFor(SyntheticMediaOptions o, Item item)
    {
        var key = $"{o.Seed}|{item.Id}";
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return new Random(BitConverter.ToInt32(h, 0));
    }

    private static void Write(string path, Item item, SyntheticMediaClass c, SyntheticMediaOptions o)
    {
        var rng = RandomFor(o, item);
        switch (item.Medium)
        {
            case "image":
                Picture(rng, c, o.ImageSize).SavePng(path);
                break;
            case "text":
                AtomicFile.WriteAllText(path, Text(rng, c));
                break;
            case "audio":
                WavWriter.Write(path, Audio(rng, c, o.AudioSeconds, o.SampleRate), o.SampleRate);
                break;
            default:
                VideoEncoder.WriteMp4(path, Video(rng, c, o.VideoSize, o.VideoFrames), o.VideoFps);
                break;
        }
    }

    private static RgbImage Picture(Random rng, SyntheticMediaClass c, int size)
    {
        var background = SyntheticMediaPainter.Background(size, rng);
        float radius = size * (0.15f + 0.15f * (float)rng.NextDouble());
        float cx = radius + (float)rng.NextDouble() * (size - 2 * radius);
        float cy = radius + (float)rng.NextDouble() * (size - 2 * radius);
        float angle = (float)(rng.NextDouble() * 360);
        var colour = c.Color((float)(rng.NextDouble() * 16 - 8));
        return SyntheticMediaPainter.Draw(size, background, c.Shape, colour, cx, cy, radius, angle);
    }

    private static RgbImage[] Video(Random rng, SyntheticMediaClass c, int size, int frames)
    {
        var background = SyntheticMediaPainter.Background(size, rng);
        float radius = size * (0.12f + 0.06f * (float)rng.NextDouble());
        var colour = c.Color((float)(rng.NextDouble() * 16 - 8));
        // Start on the side opposite the class direction, travel across the middle.
        double dir = c.Direction + (rng.NextDouble() - 0.5) * 0.3;
        float travel = size * 0.5f;
        float startX = size / 2f - (float)Math.Cos(dir) * travel / 2, startY = size / 2f - (float)Math.Sin(dir) * travel / 2;
        float angle0 = (float)(rng.NextDouble() * 360), spin = (float)(rng.NextDouble() * 30 - 15);
        return Enumerable.Range(0, frames).Select(f =>
        {
            float t = frames == 1 ? 0 : (float)f / (frames - 1);
            return SyntheticMediaPainter.Draw(size, background, c.Shape, colour,
                startX + (float)Math.Cos(dir) * travel * t, startY + (float)Math.Sin(dir) * travel * t, radius, angle0 + spin * f);
        }).ToArray();
    }

    private static float[] Audio(Random rng, SyntheticMediaClass c, double seconds, int sampleRate)
    {
        int n = (int)Math.Round(seconds * sampleRate);
        var s = new float[n];
        double f0 = c.Frequency * (1 + (rng.NextDouble() - 0.5) * 0.06);
        double amplitude = 0.3 + 0.3 * rng.NextDouble();
        double noise = 0.01 + 0.03 * rng.NextDouble();
        int onset = (int)(rng.NextDouble() * 0.1 * n);
        double phase = 0;
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / n;
            // Tone classes hold the pitch (plus an octave harmonic); chirp classes glide up a fifth.
            double f = c.Chirp ? f0 * (1 + 0.5 * t) : f0;
            phase += 2 * Math.PI * f / sampleRate;
            double env = i < onset ? 0 : Math.Min(1, (i - onset) / (0.02 * sampleRate)) * Math.Min(1, (n - i) / (0.02 * sampleRate));
            double v = Math.Sin(phase) + (c.Chirp ? 0 : 0.3 * Math.Sin(2 * phase));
            s[i] = (float)(amplitude * env * v / 1.3 + noise * SyntheticMediaPainter.Gaussian(rng));
        }
        return s;
    }

    private static string Text(Random rng, SyntheticMediaClass c)
    {
        int sentences = 2 + rng.Next(2);
        // A caption first, as titles come first in real descriptions: the class words stay within the
        // first characters even when the text is cut to a small input length.
        var lines = new List<string> { string.Format(CultureInfo.InvariantCulture, "{0} {1}.", char.ToUpperInvariant(c.Words[0][0]) + c.Words[0][1..], c.Words[1]) };
        foreach (var template in Templates.OrderBy(_ => rng.Next()).Take(sentences))
            lines.Add(string.Format(CultureInfo.InvariantCulture, template, c.Words[0], c.Words[1], c.Words[2], c.Words[3],
                Places[rng.Next(Places.Length)], Fillers[rng.Next(Fillers.Length)]));
        return string.Join(" ", lines) + "\n";
    }
}
