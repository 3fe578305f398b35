using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using CrossMedia.Data;
using CrossMedia.Data.Formats;
using CrossMedia.Media;

namespace CrossMedia.Bench.Fuzz;

/// <summary>
/// Readers: a valid seed file of a random format (written by <see cref="SeedFiles"/>), mutated,
/// then read through the library's public readers the way the CLI reads it. Also dataset manifests
/// (the JSON, or one of its data files, mutated; loaded as `data inspect` does) and special files
/// (FIFO, /dev/zero, a symlink loop, a directory, a sparse file with a huge valid header).
/// </summary>
public sealed class ReaderTarget : IFuzzTarget
{
    private static readonly MediaPreprocessing Preprocessing = MediaPreprocessing.Small(32, 36);
    private readonly bool ffmpeg = Tools.HasFfmpeg;

    public string Name => "readers";

    private static readonly (string Kind, int Weight)[] Kinds =
    [
        ("npy", 18), ("npz", 8), ("mat", 12), ("mat73", 6), ("delimited", 12), ("glove", 6), ("list", 5), ("manifest", 14),
        ("picture", 12), ("wav", 3), ("text", 5), ("special", 1),
    ];

    public CaseResult Run(int index, Random rng, string dir)
    {
        int total = Kinds.Sum(k => k.Weight), pick = rng.Next(total);
        var kind = Kinds.First(k => (pick -= k.Weight) < 0).Kind;
        if (kind == "wav" && !ffmpeg) kind = "text";
        IFuzzTarget.Announce(kind);
        if (kind == "manifest") return Manifest(rng, dir);
        if (kind == "special") return Special(rng, dir);
        var seed = kind switch
        {
            "npy" => SeedFiles.Npy(rng),
            "npz" => SeedFiles.Npz(rng),
            "mat" => SeedFiles.MatV5(rng),
            "mat73" => SeedFiles.Mat73(rng),
            "delimited" => SeedFiles.Delimited(rng),
            "glove" => SeedFiles.Glove(rng),
            "list" => SeedFiles.List(rng),
            "picture" => SeedFiles.Picture(rng),
            "wav" => SeedFiles.Wav(rng),
            _ => SeedFiles.Text(rng),
        };
        var log = new List<Mutation>();
        var bytes = rng.Chance(0.08) ? seed.Bytes : Mutator.Mutate(rng, seed.Bytes, seed.Fields, seed.Text, log);
        var path = Path.Combine(dir, seed.FileName);
        File.WriteAllBytes(path, bytes);
        var ext = Path.GetExtension(path);
        return Read(kind + ext.Replace(".", ":"), () => ReadAs(kind, path, rng), log);
    }

    /// <summary>Runs a read and classifies it; a valid (unmutated) seed must be read.</summary>
    private static CaseResult Read(string what, Action read, List<Mutation>? log)
    {
        bool valid = log is { Count: 0 };
        try
        {
            read();
            return CaseResult.Ok(what);
        }
        catch (Exception e)
        {
            var r = CaseResult.FromException(what, e);
            if (log is { Count: > 0 }) r = r with { Detail = $"[{string.Join(' ', log)}] {r.Detail}" };
            if (r.Outcome == Outcome.Clean && r.Detail.Contains("root:x:0:0", StringComparison.Ordinal))
                return new(Outcome.Message, $"{what}: message quotes /etc/passwd", r.Detail);
            return valid && r.Outcome == Outcome.Clean ? r with { Class = "valid seed refused: " + r.Class } : r;
        }
    }

    private void ReadAs(string kind, string path, Random rng)
    {
        switch (kind)
        {
            case "npy":
                var array = NpyFile.Read(path);
                if (array.Rank == 1) array.ToLabels(path);
                MatrixFile.Read(path);
                break;
            case "npz":
                NpzFile.Read(path);
                MatrixFile.Read(path, rng.Chance(0.5) ? "x" : null);
                break;
            case "mat" or "mat73":
                foreach (var v in MatFile.Read(path).Where(v => v.IsNumeric)) v.ToMatrix(path);
                MatrixFile.Read(path, rng.Chance(0.5) ? "X" : null);
                break;
            case "delimited":
                MatrixFile.Read(path);
                break;
            case "glove":
                WordVectors.Read(path);
                ClassEmbeddings.FromWordVectors(["a", "b_c"], path);
                break;
            case "list":
                ListFile.Read(path);
                break;
            case "picture":
                ImageTransform.Preprocess(ImageDecoder.Decode(path, Preprocessing.ResizeSize), Preprocessing);
                break;
            case "wav":
                ImageTransform.Preprocess(AudioDecoder.SpectrogramPicture(path, new SpectrogramOptions()), Preprocessing);
                break;
            default:
                TextMedia.Read(path);
                break;
        }
    }

    /// <summary>A small dataset folder and its manifest; the manifest (as JSON or as bytes) or one data file is mutated.</summary>
    private static CaseResult Manifest(Random rng, string dir)
    {
        string[] classes = ["cat", "dog", "guinea pig"];
        int n = 3 + rng.Next(6);
        var labels = Enumerable.Range(0, n).Select(i => i % classes.Length).ToArray();
        var splits = Enumerable.Range(0, n).Select(i => i % 3 == 2 ? "test" : "train").ToArray();
        var features = rng.Chance(0.5) ? SeedFiles.Delimited(rng) : SeedFiles.Npy(rng, "features.npy");
        // Features with exactly n rows: a CSV of n × d numbers (the seed above is a mutation target only).
        int d = 1 + rng.Next(5);
        var csv = string.Join("\n", Enumerable.Range(0, n).Select(_ => string.Join(",", Enumerable.Range(0, d).Select(_ => (rng.NextDouble() * 2 - 1).ToString("R", CultureInfo.InvariantCulture)))));
        File.WriteAllText(Path.Combine(dir, "features.csv"), csv);
        File.WriteAllText(Path.Combine(dir, "labels.txt"), string.Join("\n", labels.Select(l => rng.Chance(0.5) ? classes[l] : l.ToString(CultureInfo.InvariantCulture))));
        File.WriteAllText(Path.Combine(dir, "split.txt"), string.Join("\n", splits));
        Directory.CreateDirectory(Path.Combine(dir, "texts"));
        var textPaths = Enumerable.Range(0, n).Select(i => $"t{i}.txt").ToArray();
        foreach (var t in textPaths) File.WriteAllText(Path.Combine(dir, "texts", t), $"text {t}");
        File.WriteAllBytes(Path.Combine(dir, "texts.list"), SeedFiles.List(rng, textPaths, labels.Select(l => classes[l]).ToArray()).Bytes);
        File.WriteAllBytes(Path.Combine(dir, "glove.txt"), SeedFiles.Glove(rng, ["cat", "dog", "guinea", "pig"]).Bytes);
        File.WriteAllBytes(Path.Combine(dir, features.FileName), features.Bytes);

        var root = new JsonObject
        {
            ["name"] = "fuzz",
            ["classes"] = new JsonArray(classes.Select(c => (JsonNode)c).ToArray()),
            ["paired"] = rng.Chance(0.3),
            ["media"] = new JsonObject
            {
                ["image"] = new JsonObject { ["features"] = "features.csv", ["labels"] = "labels.txt", ["split"] = "split.txt" },
                ["text"] = new JsonObject { ["files"] = new JsonObject { ["list"] = "texts.list", ["root"] = "texts" }, ["split"] = "split.txt" },
            },
        };
        if (rng.Chance(0.5)) root["class_embeddings"] = new JsonObject { ["word_vectors"] = "glove.txt" };
        if (rng.Chance(0.3)) root["media"]!["image"]!["features"] = new JsonObject { ["file"] = features.FileName, ["rows"] = new JsonArray(0, 2) };

        var manifest = Path.Combine(dir, "dataset.json");
        IFuzzTarget.Announce("manifest");
        var log = new List<Mutation>();
        string text = root.ToJsonString();
        switch (rng.Next(10))
        {
            case < 5:
                text = MutateJson(rng, root, log);
                File.WriteAllText(manifest, text);
                break;
            case < 8:
                File.WriteAllBytes(manifest, Mutator.Mutate(rng, Encoding.UTF8.GetBytes(text), [], true, log));
                break;
            default:
                File.WriteAllText(manifest, text);
                var target = rng.Pick(new[] { "features.csv", "labels.txt", "split.txt", "texts.list", "glove.txt", features.FileName });
                var p = Path.Combine(dir, target);
                File.WriteAllBytes(p, Mutator.Mutate(rng, File.ReadAllBytes(p), target == features.FileName ? features.Fields : [], !target.EndsWith(".npy"), log));
                log.Add(new("file=" + target, 0, 0));
                break;
        }
        return Read("manifest", () => DatasetCatalog.LoadDetailed(manifest, new DatasetLoadOptions(), throwOnErrors: false), log);
    }

    /// <summary>Replaces a random node of the manifest by an odd JSON value (<see cref="Mutator.OddJson"/>), or adds an unknown field.</summary>
    private static string MutateJson(Random rng, JsonObject root, List<Mutation> log)
    {
        var nodes = new List<(JsonNode Parent, string? Key, int Index)>();
        void Walk(JsonNode node)
        {
            if (node is JsonObject o) foreach (var (k, v) in o.ToArray()) { nodes.Add((o, k, -1)); if (v is not null) Walk(v); }
            if (node is JsonArray a) for (int i = 0; i < a.Count; i++) { nodes.Add((a, null, i)); if (a[i] is { } v) Walk(v); }
        }
        Walk(root);
        var (parent, key, idx) = rng.Pick(nodes);
        var raw = Mutator.OddJson(rng);
        log.Add(new("json=" + CaseResult.Short(raw.Length > 20 ? raw[..20] : raw), 0, 0));
        if (rng.Chance(0.15) && parent is JsonObject obj) obj["unknown_" + rng.Word(4)] = Mutator.JsonMarker;
        else if (key is not null) ((JsonObject)parent)[key] = Mutator.JsonMarker;
        else ((JsonArray)parent)[idx] = Mutator.JsonMarker;
        return Mutator.RenderJson(root, raw);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);

    /// <summary>Files that are not regular files, or huge sparse ones, under names the readers accept.</summary>
    private CaseResult Special(Random rng, string dir)
    {
        var ext = rng.Pick(new[] { ".npy", ".npz", ".mat", ".csv", ".txt" });
        var path = Path.Combine(dir, "special-data" + ext);
        string what;
        switch (rng.Next(5))
        {
            case 0:
                what = "fifo";
                if (mkfifo(path, 0x1B6) != 0) return CaseResult.Ok("special: mkfifo failed");
                break;
            case 1:
                what = "/dev/zero";
                File.CreateSymbolicLink(path, "/dev/zero");
                break;
            case 2:
                what = "symlink loop";
                File.CreateSymbolicLink(path, path + ".other");
                File.CreateSymbolicLink(path + ".other", path);
                break;
            case 3:
                what = "directory";
                Directory.CreateDirectory(path);
                break;
            default:
                // A valid .npy header for more elements than an array may hold, the file extended (sparse) to match.
                what = "sparse npy over 2 GiB";
                path = Path.Combine(dir, "special-huge.npy");
                var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2147483700,), }".PadRight(128 - 10 - 1) + "\n";
                using (var fs = File.Create(path))
                {
                    fs.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0]);
                    fs.Write(Encoding.Latin1.GetBytes(header));
                    fs.SetLength(128 + 2147483700L);
                }
                ext = ".npy";
                break;
        }
        IFuzzTarget.Announce($"special {what} as {ext}");
        return Read($"special {what} as {ext}", () => MatrixFile.Read(path), null);
    }

    public void Dispose() { }
}

/// <summary>External tools some decoders need.</summary>
public static class Tools
{
    public static bool HasFfmpeg { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "ffmpeg")) && File.Exists(Path.Combine(d, "ffprobe")));
}
