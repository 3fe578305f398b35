using System.Globalization;
using System.Text.Json;
using CrossMedia.Core;
using CrossMedia.Data.Formats;
using CrossMedia.Encoders;

namespace CrossMedia.Data;

/// <summary>
/// Loads a dataset described by a JSON manifest (format in docs/manifest.md): class names, optional
/// class embeddings (a matrix file or word vectors), a paired flag and, per medium, features or a
/// list of media files with labels and a split. Paths are relative to the manifest. Every error
/// names the manifest (or the data file) and the JSON field; unknown fields are errors, so typos
/// do not pass silently.
/// </summary>
public static class DatasetManifest
{
    private static readonly string[] TopFields = ["name", "classes", "class_embeddings", "paired", "media", "description"];
    private static readonly string[] MediumFields = ["features", "files", "labels", "split", "train", "val", "test", "encoder"];
    private static readonly string[] PartFields = ["features", "files", "labels"];

    public static DatasetLoadResult Load(string manifestPath, DatasetLoadOptions options)
    {
        DataFile.Require(manifestPath, "an existing manifest file");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(manifestPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            // The parser's first sentence says what is wrong and may quote the input: escaped and shortened.
            throw new InputException(manifestPath, $"line {e.LineNumber + 1}", "valid JSON", InputException.Escape(e.Message.Split('.')[0], 100));
        }
        using (doc)
        {
            RequireText(manifestPath, doc.RootElement, "");
            var reader = new Reader(manifestPath, options);
            return reader.Load(doc.RootElement);
        }
    }

    /// <summary>
    /// Refuses a string or field name that cannot be text: JSON may escape half of a surrogate pair ("\ud800"),
    /// which .NET cannot turn into a string (GetString throws InvalidOperationException). Checked once, up front.
    /// </summary>
    private static void RequireText(string manifestPath, JsonElement e, string path)
    {
        void Refuse(string at) => throw new InputException(manifestPath, at.Length == 0 ? "(top level)" : at,
            "valid Unicode text", "a lone UTF-16 surrogate escape (such as \\ud800)");
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                try { _ = e.GetString(); } catch (InvalidOperationException) { Refuse(path); }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray()) RequireText(manifestPath, item, $"{path}[{i++}]");
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    string name = "";
                    try { name = p.Name; } catch (InvalidOperationException) { Refuse(path.Length == 0 ? "a field name" : $"{path}: a field name"); }
                    var shown = InputException.Escape(name, 40);
                    RequireText(manifestPath, p.Value, path.Length == 0 ? shown : $"{path}.{shown}");
                }
                break;
        }
    }

    private sealed class Reader(string manifestPath, DatasetLoadOptions options)
    {
        private readonly string _dir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        private readonly Dictionary<string, string> _checksums = new();

        private InputException Error(string field, string expected, string found) => new(manifestPath, field, expected, found);

        public DatasetLoadResult Load(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object) throw Error("(root)", "a JSON object", root.ValueKind.ToString().ToLowerInvariant());
            CheckFields(root, "", TopFields);
            _checksums[Path.GetFileName(manifestPath)] = Checksum.Sha256File(manifestPath);

            string name = root.TryGetProperty("name", out var n) ? String(n, "name") : Path.GetFileNameWithoutExtension(manifestPath);
            var classes = ReadClasses(Required(root, "classes", ""));
            bool paired = root.TryGetProperty("paired", out var p) && (p.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? p.GetBoolean() : throw Error("paired", "true or false", Found(p)));

            var mediaElement = Required(root, "media", "");
            if (mediaElement.ValueKind != JsonValueKind.Object || !mediaElement.EnumerateObject().Any())
                throw Error("media", "an object with one entry per medium", mediaElement.ValueKind == JsonValueKind.Object ? "no media" : Found(mediaElement));
            foreach (var m in mediaElement.EnumerateObject())
                if (m.Name.Length is 0 or > 64 || m.Name.Any(char.IsControl))  // a medium's name appears in every message about it
                    throw Error("media", "medium names of 1 to 64 characters without control characters", InputException.Excerpt(m.Name));
            var media = mediaElement.EnumerateObject().Select(m => ReadMedium(m.Name, m.Value, classes)).ToArray();
            if (paired && media.Any(m => m.Count != media[0].Count))
                throw Error("paired", "equal item counts in every medium of a paired dataset", string.Join(", ", media.Select(m => $"{m.Name}={m.Count}")));

            Matrix? embeddings = null;
            string? embeddingSource = null;
            IReadOnlyList<string> missing = [];
            if (root.TryGetProperty("class_embeddings", out var ce))
                (embeddings, embeddingSource, missing) = ReadClassEmbeddings(ce, classes);
            else if (options.WordVectors is not null)
                (embeddings, embeddingSource, missing) = FromWords(options.WordVectors, classes);

            var dataset = new Dataset(name, media, classes, embeddings, paired, _checksums);
            return new DatasetLoadResult(dataset, manifestPath, embeddingSource, missing, new DatasetProblems(name, []));
        }

        private string[] ReadClasses(JsonElement e)
        {
            string[] names;
            if (e.ValueKind == JsonValueKind.Array)
                names = e.EnumerateArray().Select((x, i) => String(x, $"classes[{i}]")).ToArray();
            else if (e.ValueKind == JsonValueKind.String)
            {
                var file = ExistingFile(e, "classes");
                names = File.ReadLines(file).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            }
            else throw Error("classes", "a list of class names or a file with one name per line", Found(e));
            if (names.Length == 0) throw Error("classes", "at least one class", "none");
            var dup = names.GroupBy(x => x).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null) throw Error("classes", "distinct class names", $"{InputException.Excerpt(dup.Key)} twice");
            return names;
        }

        private (Matrix, string, IReadOnlyList<string>) ReadClassEmbeddings(JsonElement e, string[] classes)
        {
            if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("encoder", out var enc))
            {
                CheckFields(e, "class_embeddings", ["encoder"]);
                var r = ClassEncoders.Embed(String(enc, "class_embeddings.encoder"), classes, manifestPath, "class_embeddings.encoder");
                return (r.Embeddings, r.Source, []);
            }
            if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("word_vectors", out var wv))
            {
                CheckFields(e, "class_embeddings", ["word_vectors"]);
                var path = options.WordVectors ?? ExistingFile(wv, "class_embeddings.word_vectors");
                return FromWords(path, classes);
            }
            var spec = Source(e, "class_embeddings");
            var m = ReadMatrix(spec);
            if (m.Rows != classes.Length)
                throw new InputException(spec.File, $"{spec.Field} (rows)", $"{classes.Length} rows (one per class)", $"{m.Rows}");
            return (m, spec.File, []);
        }

        private (Matrix, string, IReadOnlyList<string>) FromWords(string path, string[] classes)
        {
            var r = ClassEmbeddings.FromWordVectors(classes, path);
            _checksums[Path.GetRelativePath(_dir, path)] = Checksum.Sha256File(path);
            return (r.Embeddings, path, r.MissingWords);
        }

        private Medium ReadMedium(string name, JsonElement e, string[] classes)
        {
            string field = $"media.{name}";
            if (e.ValueKind != JsonValueKind.Object) throw Error(field, "an object", Found(e));
            CheckFields(e, field, MediumFields);
            var encoder = ReadEncoder(e, name, field);
            var splitParts = new[] { Split.Train, Split.Val, Split.Test }.Where(s => e.TryGetProperty(s.Name(), out _)).ToArray();
            if (splitParts.Length > 0)
            {
                foreach (var f in new[] { "features", "files", "labels", "split" })
                    if (e.TryGetProperty(f, out _))
                        throw Error($"{field}.{f}", "either per-split parts (train/val/test) or features/files with a split, not both", $"both");
                var parts = splitParts.Select(s => (Split: s, Part: ReadPart(e.GetProperty(s.Name()), $"{field}.{s.Name()}", classes, isSplitPart: true))).ToArray();
                bool hasFeatures = parts[0].Part.Features is not null;
                foreach (var (s, part) in parts)
                {
                    if ((part.Features is not null) != hasFeatures)
                        throw Error($"{field}.{s.Name()}", hasFeatures ? "features (as the other parts)" : "files (as the other parts)", hasFeatures ? "files" : "features");
                    if (hasFeatures && part.Features!.Cols != parts[0].Part.Features!.Cols)
                        throw Error($"{field}.{s.Name()}.features", $"{parts[0].Part.Features!.Cols} columns (as in {parts[0].Split.Name()})", $"{part.Features.Cols} columns");
                }
                CheckEncoded(field, encoder, parts[0].Part.Features);
                return new Medium(name,
                    hasFeatures ? Matrix.VStack(parts.Select(x => x.Part.Features!).ToArray()) : null,
                    hasFeatures ? null : parts.SelectMany(x => x.Part.Files!).ToArray(),
                    parts.SelectMany(x => x.Part.Labels).ToArray(),
                    parts.SelectMany(x => Enumerable.Repeat(x.Split, x.Part.Labels.Length)).ToArray(),
                    UniqueIds(parts.SelectMany(x => x.Part.Ids).ToArray()), encoder: encoder);
            }

            var whole = ReadPart(e, field, classes, isSplitPart: false);
            CheckEncoded(field, encoder, whole.Features);
            var splits = ReadSplits(Required(e, "split", field), $"{field}.split", whole.Labels.Length, whole.Origin);
            return new Medium(name, whole.Features, whole.Files, whole.Labels, splits, UniqueIds(whole.Ids), encoder: encoder);
        }

        /// <summary>The medium's "encoder" (which pretrained encoder made its features), checked against the known ones; null when absent.</summary>
        private string? ReadEncoder(JsonElement e, string name, string field)
        {
            if (!e.TryGetProperty("encoder", out var enc)) return null;
            var value = String(enc, $"{field}.encoder").ToLowerInvariant();
            var allowed = EncoderCatalog.For(name);
            return allowed.Contains(value) ? value
                : throw Error($"{field}.encoder", $"{(allowed.Count == 1 ? "" : "one of ")}{string.Join(", ", allowed)} (the encoder that made the features)", Found(enc));
        }

        /// <summary>A medium with an encoder must hold features of that encoder's length (queries go through it).</summary>
        private void CheckEncoded(string field, string? encoder, Matrix? features)
        {
            if (encoder is null) return;
            if (features is null) throw Error($"{field}.encoder", "features (\"encoder\" names the encoder that made them)", "media files");
            int expected = EncoderCatalog.DimensionOf(encoder);
            if (features.Cols != expected)
                throw Error($"{field}.encoder", $"features of {encoder}'s length, {expected} columns", $"{features.Cols} columns");
        }

        private static string[] UniqueIds(string[] ids) =>
            ids.Distinct().Count() == ids.Length ? ids : ids.Select((id, i) => $"{i}:{id}").ToArray();

        private sealed record Part(Matrix? Features, string[]? Files, int[] Labels, string[] Ids, string Origin);

        private Part ReadPart(JsonElement e, string field, string[] classes, bool isSplitPart)
        {
            if (e.ValueKind != JsonValueKind.Object) throw Error(field, "an object", Found(e));
            if (isSplitPart) CheckFields(e, field, PartFields);
            bool hasFeatures = e.TryGetProperty("features", out var fe), hasFiles = e.TryGetProperty("files", out var fi);
            if (hasFeatures == hasFiles) throw Error(field, "exactly one of features or files", hasFeatures ? "both" : "neither");

            if (hasFeatures)
            {
                var spec = Source(fe, $"{field}.features");
                var features = ReadMatrix(spec);
                var labelsElement = Required(e, "labels", field);
                var labels = ReadLabels(labelsElement, $"{field}.labels", classes);
                if (labels.Length != features.Rows)
                    throw Error($"{field}.labels", $"{features.Rows} labels (one per row of {Path.GetFileName(spec.File)})", $"{labels.Length} labels");
                var ids = Enumerable.Range(0, features.Rows).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
                return new Part(features, null, labels, ids, spec.File);
            }

            // A list of media files: "list.txt" or {"list": ..., "root": ..., "base": 0|1}.
            string listField = $"{field}.files";
            string list;
            string root;
            int listBase = 0;
            if (fi.ValueKind == JsonValueKind.String)
            {
                list = ExistingFile(fi, listField);
                root = Path.GetDirectoryName(list)!;
            }
            else if (fi.ValueKind == JsonValueKind.Object)
            {
                CheckFields(fi, listField, ["list", "root", "base"]);
                list = ExistingFile(Required(fi, "list", listField), $"{listField}.list");
                root = fi.TryGetProperty("root", out var r) ? Resolve(String(r, $"{listField}.root")) : Path.GetDirectoryName(list)!;
                if (!Directory.Exists(root)) throw Error($"{listField}.root", "an existing folder", $"{Found(r)} (not found)");
                if (fi.TryGetProperty("base", out var b)) listBase = Base(b, $"{listField}.base");
            }
            else throw Error(listField, "a list file or {\"list\": ..., \"root\": ...}", Found(fi));
            _checksums[Path.GetRelativePath(_dir, list)] = Checksum.Sha256File(list);

            var entries = ListFile.Read(list);
            var files = new string[entries.Count];
            for (int i = 0; i < entries.Count; i++)
            {
                files[i] = Path.GetFullPath(Path.Combine(root, entries[i].Path));
                if (!File.Exists(files[i]))
                    throw new InputException(list, $"line {entries[i].Line}", "an existing media file (relative to the root)", $"{InputException.Excerpt(entries[i].Path)} (not found)");
            }
            int[] fileLabels = e.TryGetProperty("labels", out var le)
                ? ReadLabels(le, $"{field}.labels", classes)
                : entries.Select(x => Label(x.Label, listBase, classes, list, $"line {x.Line} label")).ToArray();
            if (fileLabels.Length != files.Length)
                throw Error($"{field}.labels", $"{files.Length} labels (one per line of {Path.GetFileName(list)})", $"{fileLabels.Length} labels");
            return new Part(null, files, fileLabels, entries.Select(x => x.Path).ToArray(), list);
        }

        private int[] ReadLabels(JsonElement e, string field, string[] classes)
        {
            int labelBase = 0;
            int? column = null;
            if (e.ValueKind == JsonValueKind.Object)
            {
                CheckFields(e, field, ["file", "variable", "rows", "base", "column"]);
                if (e.TryGetProperty("base", out var b)) labelBase = Base(b, $"{field}.base");
                if (e.TryGetProperty("column", out var c))
                    column = c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) && n >= 1 ? n
                        : throw Error($"{field}.column", "a 1-based column number (1, 2, ...)", Found(c));
            }
            var spec = Source(e, field);
            if (IsPlainText(spec.File))
            {
                var lines = ApplyRows(ReadLines(spec.File), spec);
                return column is { } col
                    ? lines.Select(l => Label(Column(l, col, spec.File, field), labelBase, classes, spec.File, $"line {l.Line}, column {col} ({field})")).ToArray()
                    : lines.Select(l => Label(l.Text, labelBase, classes, spec.File, $"line {l.Line} ({field})")).ToArray();
            }
            if (column is not null)
                throw Error($"{field}.column", "a text file of columns (a list file); \"column\" does not apply to .mat, .npy, .npz, .csv or .tsv", InputException.Excerpt(Path.GetFileName(spec.File)));
            var m = ReadMatrix(spec);
            var values = Vector(m, spec);
            var labels = new int[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                double v = values[i];
                if (v != Math.Floor(v)) throw new InputException(spec.File, $"item {i} ({field})", "an integer label", v.ToString(CultureInfo.InvariantCulture));
                labels[i] = CheckLabel(v, labelBase, classes, spec.File, $"item {i} ({field})");
            }
            return labels;
        }

        /// <summary>
        /// Column <paramref name="column"/> (1-based) of a list-file line such as "img_id txt_id class": columns are
        /// tab-separated when the line holds a tab, otherwise separated by runs of spaces.
        /// </summary>
        private static string Column((string Text, int Line) line, int column, string file, string field)
        {
            var columns = line.Text.Contains('\t')
                ? line.Text.Split('\t', StringSplitOptions.TrimEntries)
                : line.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return column <= columns.Length && columns[column - 1].Length > 0 ? columns[column - 1]
                : throw new InputException(file, $"line {line.Line}, column {column} ({field})", $"a label in column {column}",
                    $"{columns.Length} column{(columns.Length == 1 ? "" : "s")} ({InputException.Excerpt(line.Text)})");
        }

        private Split[] ReadSplits(JsonElement e, string field, int count, string origin)
        {
            if (e.ValueKind == JsonValueKind.Object) CheckFields(e, field, ["file", "variable", "rows"]);
            var spec = Source(e, field);
            Split[] splits;
            if (IsPlainText(spec.File))
            {
                splits = ApplyRows(ReadLines(spec.File), spec).Select(l => l.Text switch
                {
                    "0" => Split.Train,
                    "1" => Split.Val,
                    "2" => Split.Test,
                    _ => ParseSplit(l.Text, spec.File, $"line {l.Line} ({field})"),
                }).ToArray();
            }
            else
            {
                var values = Vector(ReadMatrix(spec), spec);
                splits = values.Select((v, i) => v switch
                {
                    0 => Split.Train,
                    1 => Split.Val,
                    2 => Split.Test,
                    _ => throw new InputException(spec.File, $"item {i} ({field})", "a split code 0 (train), 1 (val) or 2 (test)", v.ToString(CultureInfo.InvariantCulture)),
                }).ToArray();
            }
            if (splits.Length != count)
                throw Error(field, $"{count} entries (one per item of {Path.GetFileName(origin)})", $"{splits.Length} entries");
            return splits;
        }

        private static Split ParseSplit(string text, string file, string field) => text.Trim().ToLowerInvariant() switch
        {
            "train" or "training" => Split.Train,
            "val" or "valid" or "validation" => Split.Val,
            "test" or "testing" => Split.Test,
            _ => throw new InputException(file, field, "train, val, test or 0, 1, 2", InputException.Excerpt(text)),
        };

        private static int Label(string text, int labelBase, string[] classes, string file, string field)
        {
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                return CheckLabel(v, labelBase, classes, file, field);
            int index = Array.IndexOf(classes, text);
            return index >= 0 ? index : throw new InputException(file, field, "a class name or number", InputException.Excerpt(text));
        }

        /// <summary>The class index of a label as written (checked as the number it is: a cast to int would turn 1e10 into 2147483647).</summary>
        private static int CheckLabel(double raw, int labelBase, string[] classes, string file, string field) =>
            raw - labelBase is var index && index >= 0 && index < classes.Length ? (int)index
                : throw new InputException(file, field,
                    $"a {labelBase}-based class number in {labelBase}..{classes.Length - 1 + labelBase}{(labelBase == 0 && raw == classes.Length ? " (set \"base\": 1 for 1-based labels)" : "")}",
                    raw.ToString("R", CultureInfo.InvariantCulture));

        private static bool IsPlainText(string file) => Path.GetExtension(file).ToLowerInvariant() is not (".mat" or ".npy" or ".npz" or ".csv" or ".tsv");

        private static List<(string Text, int Line)> ReadLines(string file) =>
            File.ReadLines(file).Select((l, i) => (Text: l.Trim(), Line: i + 1)).Where(x => x.Text.Length > 0 && !x.Text.StartsWith('#')).ToList();

        private sealed record SourceSpec(string File, string? Variable, (int Start, int End)? Rows, string Field);

        /// <summary>A data file: "path" or {"file": path, "variable": name, "rows": [start, end]}.</summary>
        private SourceSpec Source(JsonElement e, string field)
        {
            if (e.ValueKind == JsonValueKind.String) return new SourceSpec(ExistingFile(e, field), null, null, field);
            if (e.ValueKind != JsonValueKind.Object) throw Error(field, "a file name or {\"file\": ..., \"variable\": ..., \"rows\": [start, end]}", Found(e));
            var allowed = new List<string> { "file", "variable", "rows" };
            if (field.EndsWith(".labels", StringComparison.Ordinal)) allowed.AddRange(["base", "column"]);
            CheckFields(e, field, allowed.ToArray());
            var file = ExistingFile(Required(e, "file", field), $"{field}.file");
            string? variable = e.TryGetProperty("variable", out var v) ? String(v, $"{field}.variable") : null;
            (int, int)? rows = null;
            if (e.TryGetProperty("rows", out var r))
            {
                if (r.ValueKind != JsonValueKind.Array || r.GetArrayLength() != 2 || r.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out _)))
                    throw Error($"{field}.rows", "[start, end] (0-based, end exclusive)", Found(r));
                rows = (r[0].GetInt32(), r[1].GetInt32());
            }
            return new SourceSpec(file, variable, rows, field);
        }

        private Matrix ReadMatrix(SourceSpec spec)
        {
            var m = MatrixFile.Read(spec.File, spec.Variable);
            if (spec.Rows is { } range)
            {
                if (range.Start < 0 || range.End < range.Start || range.End > m.Rows)
                    throw Error($"{spec.Field}.rows", $"0 ≤ start ≤ end ≤ {m.Rows} (rows of {Path.GetFileName(spec.File)})", $"[{range.Start}, {range.End}]");
                m = m.SelectRows(Enumerable.Range(range.Start, range.End - range.Start).ToArray());
            }
            int bad = m.FirstNonFiniteRow();
            if (bad >= 0)
                throw new InputException(spec.File, $"row {bad + (spec.Rows?.Start ?? 0)} ({spec.Field})", "finite values", "NaN or infinity");
            return m;
        }

        private List<(string Text, int Line)> ApplyRows(List<(string Text, int Line)> lines, SourceSpec spec)
        {
            if (spec.Variable is not null) throw Error($"{spec.Field}.variable", "no variable for a text file", InputException.Excerpt(spec.Variable));
            if (spec.Rows is not { } range) return lines;
            if (range.Start < 0 || range.End < range.Start || range.End > lines.Count)
                throw Error($"{spec.Field}.rows", $"0 ≤ start ≤ end ≤ {lines.Count} (lines of {Path.GetFileName(spec.File)})", $"[{range.Start}, {range.End}]");
            return lines.GetRange(range.Start, range.End - range.Start);
        }

        private static float[] Vector(Matrix m, SourceSpec spec)
        {
            if (m.Rows != 1 && m.Cols != 1)
                throw new InputException(spec.File, spec.Variable ?? spec.Field, "a vector (one row or one column)", $"{m.Rows}×{m.Cols}");
            return m.Data;
        }

        private string ExistingFile(JsonElement e, string field)
        {
            var relative = String(e, field);
            var path = Resolve(relative);
            if (DataFile.Check(path).Problem is { } problem)
                throw Error(field, "an existing file (relative to the manifest)", $"{InputException.Excerpt(relative)} ({(problem == "no such file" ? "not found" : problem)})");
            _checksums[Path.GetRelativePath(_dir, path)] = Checksum.Sha256File(path);
            return path;
        }

        /// <summary>A JSON value as found, for messages: null as null (not as nothing), anything else as a short excerpt of its JSON text.</summary>
        private static string Found(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Null => "null",
            JsonValueKind.String => InputException.Excerpt(e.GetString()!),
            _ => InputException.Excerpt(e.GetRawText()),
        };

        private string Resolve(string relative) => Path.GetFullPath(Path.Combine(_dir, relative));

        private string String(JsonElement e, string field) =>
            e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s ? s : throw Error(field, "a non-empty string", Found(e));

        private int Base(JsonElement e, string field) =>
            e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var b) && b is 0 or 1 ? b : throw Error(field, "0 or 1", Found(e));

        private JsonElement Required(JsonElement e, string name, string parent) =>
            e.TryGetProperty(name, out var v) ? v : throw Error(parent.Length == 0 ? name : $"{parent}.{name}", "a value", "the field is missing");

        private void CheckFields(JsonElement e, string field, string[] allowed)
        {
            foreach (var p in e.EnumerateObject())
                if (!allowed.Contains(p.Name))
                    throw Error(field.Length == 0 ? InputException.Escape(p.Name, 40) : $"{field}.{InputException.Escape(p.Name, 40)}", $"one of the fields {string.Join(", ", allowed)}", $"unknown field {InputException.Excerpt(p.Name)}");
        }
    }
}
