using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Core;
using CrossMedia.Data.Formats;
using CrossMedia.Encoders;
using CrossMedia.Media;

namespace CrossMedia.Data;

/// <summary>How far feature extraction is: <paramref name="Done"/> of <paramref name="Total"/> items of a medium.</summary>
public readonly record struct FeatureProgress(string Medium, string Encoder, int Done, int Total);

/// <summary>One file of features written: a medium's split, its rows and their length.</summary>
public sealed record FeaturePart(string Medium, string Encoder, Split Split, int Rows, int Dimension, string File);

/// <summary>What <see cref="FeatureExtraction.Run"/> wrote.</summary>
public sealed record FeatureExtractionResult(string ManifestPath, IReadOnlyList<FeaturePart> Parts, TimeSpan Elapsed);

/// <summary>
/// Turns a dataset of media files into a dataset of encoder features that <c>train</c> reads
/// directly. In the output folder, per medium and split: <c>MEDIUM_SPLIT.npy</c> (float32,
/// items × dimension, unit rows), <c>MEDIUM_SPLIT_labels.npy</c> (int64 class indices, 0-based)
/// and <c>MEDIUM_SPLIT_items.txt</c> (item id and source file per row); <c>class_embeddings.npy</c>
/// when the dataset has class embeddings; <c>manifest.json</c> (docs/manifest.md: the classes, the
/// splits as given, <c>paired</c> as in the source, each medium's <c>"encoder"</c>);
/// <c>features.json</c> (version, encoders, settings, source checksums, time) and
/// <c>checksums.json</c> (<see cref="FileChecksums"/>). Every file is written atomically, the
/// manifest last, so a folder with a manifest is complete.
/// </summary>
public static class FeatureExtraction
{
    public const string ManifestName = "manifest.json";
    public const string RecordName = "features.json";
    public const string ClassEmbeddingsName = "class_embeddings.npy";

    /// <summary>Parses <c>medium=encoder,...</c> (e.g. <c>image=resnet18,text=minilm</c>).</summary>
    public static IReadOnlyDictionary<string, string> ParseEncoders(string? spec, string location = "encoders")
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(spec)) return map;
        foreach (var part in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0 || eq == part.Length - 1)
                throw new InputException(location, "", "medium=encoder pairs separated by commas, e.g. image=resnet18,text=minilm", InputException.Excerpt(part));
            var medium = part[..eq].Trim();
            if (!map.TryAdd(medium, part[(eq + 1)..].Trim()))
                throw new InputException(location, medium, "one encoder per medium", "two");
        }
        return map;
    }

    /// <summary>
    /// The kind and encoder of every medium of <paramref name="dataset"/>: the one named in
    /// <paramref name="given"/>, else the kind's default. Refuses (an <see cref="InputException"/> at
    /// <paramref name="location"/>) media given as features, multi-label media, media of no known
    /// kind, encoders that do not read the medium, and names of media the dataset lacks.
    /// </summary>
    public static IReadOnlyList<(Medium Medium, MediaKind Kind, string Encoder)> Plan(Dataset dataset,
        IReadOnlyDictionary<string, string>? given = null, string location = "encoders")
    {
        given ??= new Dictionary<string, string>();
        var unknown = given.Keys.FirstOrDefault(k => !dataset.Has(k));
        if (unknown is not null)
            throw new InputException(location, unknown, $"a medium of {dataset.Name}: {string.Join(", ", dataset.Media.Select(m => m.Name))}", InputException.Excerpt(unknown));
        var plan = new List<(Medium, MediaKind, string)>();
        foreach (var m in dataset.Media)
        {
            if (m.Files is null)
                throw new InputException(dataset.Name, m.Name, "a medium given as media files (features encodes files)", "feature vectors");
            if (m.IsMultiLabel)
                throw new InputException(dataset.Name, m.Name, "single-label items (a features manifest has one label per item)", "multi-label items");
            var kind = MediaKinds.FromMediumName(m.Name) ?? CommonExtensionKind(m)
                ?? throw new InputException(location, m.Name, $"an encoder for medium '{m.Name}', whose name and file extensions say no kind (name it image/text/audio/video)", "none");
            var name = given.TryGetValue(m.Name, out var n) ? n : EncoderCatalog.DefaultFor(kind);
            plan.Add((m, kind, EncoderCatalog.Canonical(kind, name, location))); // checks the pair before anything runs
        }
        return plan;
    }

    private static MediaKind? CommonExtensionKind(Medium m)
    {
        var kinds = m.Files!.Select(MediaKinds.FromExtension).Distinct().ToArray();
        return kinds.Length == 1 ? kinds[0] : null;
    }

    /// <summary>Encodes every medium of <paramref name="dataset"/> (see <see cref="Plan"/>) into <paramref name="outDir"/>.</summary>
    public static FeatureExtractionResult Run(Dataset dataset, string outDir, IReadOnlyDictionary<string, string>? encoders,
        EncoderOptions options, IProgress<FeatureProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var plan = Plan(dataset, encoders);
        options.Validate();
        if (plan.Select(p => FileStem(p.Medium.Name)).Distinct().Count() < plan.Count)
            throw new InputException(dataset.Name, "media", "medium names that stay distinct as file names (letters, digits, - and _)", string.Join(", ", plan.Select(p => p.Medium.Name)));
        var clock = Stopwatch.StartNew();
        var started = DateTime.UtcNow;
        outDir = Path.GetFullPath(outDir);
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        var parts = new List<FeaturePart>();
        var media = new JsonObject();
        foreach (var (medium, kind, name) in plan)
        {
            Matrix features;
            using (var encoder = EncoderCatalog.Create(kind, name, options, "encoders"))
            {
                progress?.Report(new FeatureProgress(medium.Name, name, 0, medium.Count));
                var report = progress is null ? null : new SynchronousProgress<int>(done => progress.Report(new FeatureProgress(medium.Name, name, done, medium.Count)));
                features = encoder.Encode(MediaSource.Files(medium.Files!), report, cancellationToken);
            }
            var entry = new JsonObject { ["encoder"] = name };
            foreach (var split in Enum.GetValues<Split>())
            {
                var rows = medium.RowsOf(split);
                if (rows.Length == 0) continue;
                var stem = $"{FileStem(medium.Name)}_{split.Name()}";
                NpyFile.Write(Path.Combine(outDir, stem + ".npy"), features.SelectRows(rows));
                NpyFile.Write(Path.Combine(outDir, stem + "_labels.npy"), rows.Select(r => (long)medium.Labels[r]).ToArray());
                var items = new StringBuilder();
                foreach (var r in rows) items.Append(medium.Ids[r]).Append('\t').Append(medium.Files![r]).Append('\n');
                AtomicFile.WriteAllText(Path.Combine(outDir, stem + "_items.txt"), items.ToString());
                written.AddRange([stem + ".npy", stem + "_labels.npy", stem + "_items.txt"]);
                entry[split.Name()] = new JsonObject { ["features"] = stem + ".npy", ["labels"] = stem + "_labels.npy" };
                parts.Add(new FeaturePart(medium.Name, name, split, rows.Length, features.Cols, Path.Combine(outDir, stem + ".npy")));
            }
            media[medium.Name] = entry;
        }

        var manifest = new JsonObject
        {
            ["name"] = dataset.Name,
            ["description"] = $"features of {dataset.Name} written by crossmedia features ({BuildInfo.Version}); see {RecordName}",
            ["classes"] = new JsonArray(dataset.ClassNames.Select(c => (JsonNode?)c).ToArray()),
        };
        if (dataset.ClassEmbeddings is { } ce)
        {
            NpyFile.Write(Path.Combine(outDir, ClassEmbeddingsName), ce);
            written.Add(ClassEmbeddingsName);
            manifest["class_embeddings"] = ClassEmbeddingsName;
        }
        manifest["paired"] = dataset.Paired;
        manifest["media"] = media;

        var record = new JsonObject
        {
            ["version"] = BuildInfo.Version,
            ["dataset"] = dataset.Name,
            ["encoders"] = new JsonObject(plan.Select(p => KeyValuePair.Create(p.Medium.Name, (JsonNode?)p.Encoder))),
            ["settings"] = new JsonObject
            {
                ["device"] = options.Device,
                ["picture_side"] = ResNet18Encoder.InputSize,
                ["frames_per_video"] = options.FramesPerVideo,
                ["spectrogram"] = options.Spectrogram.Fingerprint(),
            },
            ["items"] = new JsonObject(plan.Select(p => KeyValuePair.Create(p.Medium.Name, (JsonNode?)p.Medium.Count))),
            ["started_utc"] = started,
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            ["data_checksums"] = new JsonObject(dataset.Checksums.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        };
        var indented = new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        AtomicFile.WriteAllText(Path.Combine(outDir, RecordName), record.ToJsonString(indented));
        written.Add(RecordName);
        var manifestPath = Path.Combine(outDir, ManifestName);
        AtomicFile.WriteAllText(manifestPath, manifest.ToJsonString(indented));
        written.Add(ManifestName);
        FileChecksums.Write(outDir, written);
        return new FeatureExtractionResult(manifestPath, parts, clock.Elapsed);
    }

    /// <summary>A medium name as a file-name part: letters, digits, '-' and '_' kept, anything else '_'.</summary>
    private static string FileStem(string medium) =>
        string.Concat(medium.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
