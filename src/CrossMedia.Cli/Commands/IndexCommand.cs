using System.CommandLine;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Data.Formats;
using CrossMedia.Index;
using CrossMedia.Models;

namespace CrossMedia.Cli.Commands;

/// <summary>`crossmedia index build|add|remove|compact|info`: embedding indexes for search.</summary>
internal static class IndexCommand
{
    /// <param name="loadModel">Model loader (tests pass test doubles); defaults to <see cref="ModelStore.Load"/>.</param>
    public static Command Create(Func<string, IEmbeddingModel>? loadModel = null)
    {
        loadModel ??= ModelStore.Load;
        var command = new Command("index", "Build and change embedding indexes that 'search' and 'serve' use.");
        command.Subcommands.Add(Build(loadModel));
        command.Subcommands.Add(Add(loadModel));
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(Compact());
        command.Subcommands.Add(Info());
        return command;
    }

    private static Option<string> IndexOption(string name = "--index", string description = "Index file.") =>
        new(name) { Description = description, Required = true };

    private static Command Build(Func<string, IEmbeddingModel> loadModel)
    {
        var model = new Option<string?>("--model") { Description = "Model directory (model.json) whose embeddings the index holds." };
        var folder = new Option<string?>("--folder") { Description = "Folder of media files, searched recursively; the medium comes from the extension and top-level sub-folders become class labels." };
        var vectors = new Option<string?>("--vectors") { Description = "Precomputed common-space embeddings (rows × dimension; .npy, .npz, .mat, .csv) to index instead of embedding media." };
        var medium = new Option<string>("--medium") { Description = "Medium name of the --vectors rows.", DefaultValueFactory = _ => "vector" };
        var labels = new Option<string?>("--labels")
        {
            Description = "Class labels of the --vectors rows, one per row: a 1-D integer .npy, or a text file with one label per line " +
                "(class numbers, or class names, which become the index's classes in order of first appearance).",
        };
        var metric = new Option<string>("--metric") { Description = "cosine (vectors normalised), ip (inner product) or l2 (squared Euclidean distance).", DefaultValueFactory = _ => "cosine" };
        metric.AcceptOnlyFromAmong([.. MetricNames.All]);
        var output = IndexOption("--out", "Index file to write (atomically; an existing file is replaced only when the new one is complete).");
        var data = new DatasetOptions(required: false, description: "Dataset to index (every medium the model accepts is embedded)");
        var split = new Option<string>("--split") { Description = "Which part of --dataset to index: all, train, val or test.", DefaultValueFactory = _ => "all" };
        var seed = SharedOptions.ModelSeed();
        var skipBad = new Option<bool>("--skip-bad") { Description = "Leave out media files that cannot be decoded (each is listed) instead of failing." };
        var ann = new AnnOptions();
        var c = new Command("build", "Embed a dataset or a folder of media files (or take precomputed vectors) with a model and write an index.") { model };
        data.AddTo(c);
        foreach (var o in new Option[] { split, seed, folder, vectors, medium, labels, metric, output, skipBad }) c.Options.Add(o);
        ann.AddTo(c);
        c.SetAction(parse =>
        {
            var outPath = parse.GetValue(output)!;
            var (_, annSettings) = ann.Read(parse);
            annSettings?.Validate();
            var m = MetricNames.Parse(parse.GetValue(metric)!);
            var folderPath = parse.GetValue(folder);
            var vectorsPath = parse.GetValue(vectors);
            var datasetName = parse.GetValue(data.Dataset);
            int inputs = (folderPath is null ? 0 : 1) + (vectorsPath is null ? 0 : 1) + (datasetName is null ? 0 : 1);
            if (inputs != 1)
                throw new InputException("index build", "input", "exactly one of --dataset, --folder or --vectors", inputs == 0 ? "none" : "several");
            if (parse.GetValue(labels) is not null && vectorsPath is null)
                throw new InputException("--labels", "", "--vectors (labels of a dataset or folder come from it)", parse.GetValue(labels)!);
            var modelDir = parse.GetValue(model);
            var o = parse.InvocationConfiguration.Output;
            EmbeddingIndex index;
            if (vectorsPath is not null)
            {
                var v = MatrixFile.Read(vectorsPath);
                string method = "", sha = "";
                IReadOnlyDictionary<string, string>? encoders = null;
                if (modelDir is not null)
                {
                    using var mm = loadModel(modelDir);
                    if (mm.EmbeddingDimension != v.Cols)
                        throw new InputException(vectorsPath, "columns", $"{mm.EmbeddingDimension} (the model's embedding dimension)", v.Cols.ToString());
                    method = mm.Method;
                    sha = ModelIdentity.Of(modelDir);
                    encoders = IndexHeader.EncodersOf(mm);
                }
                var mediumName = parse.GetValue(medium)!;
                var (rowLabels, classNames) = parse.GetValue(labels) is { } labelsPath ? VectorLabels.Read(labelsPath, v.Rows, vectorsPath) : (null, []);
                index = EmbeddingIndex.Create(new IndexHeader(method, sha, v.Cols, m, [mediumName], classNames, encoders));
                index.Add(Enumerable.Range(0, v.Rows).Select(i => new NewItem(i.ToString(System.Globalization.CultureInfo.InvariantCulture), mediumName, rowLabels?[i] ?? -1)).ToArray(), v);
            }
            else
            {
                if (modelDir is null) throw new InputException("index build", "--model", "a model directory to embed the items with", "nothing");
                using var mm = loadModel(modelDir);
                var progress = new ConsoleProgress(CliConsole.For(o));
                if (datasetName is not null)
                {
                    var ds = data.Resolve(parse, SharedOptions.SeedFor(parse, seed, modelDir));
                    var part = parse.GetValue(split)!;
                    if (part != "all") ds = ds.Select(SplitNames.Parse(part, "--split"));
                    index = progress.Run(() => IndexBuilder.FromDataset(mm, ModelIdentity.Of(modelDir), ds, m, progress, parse.GetValue(skipBad), progress.Line));
                }
                else index = progress.Run(() => IndexBuilder.FromFolder(mm, ModelIdentity.Of(modelDir), folderPath!, m, progress.Line, progress, parse.GetValue(skipBad)));
            }
            using (index)
            {
                index.Save(outPath);
                o.WriteLine($"wrote {outPath}: {index.Count} items ({string.Join(", ", index.CountByMedium().Select(kv => $"{kv.Value} {kv.Key}"))}), " +
                    $"dimension {index.Dimension}, {index.Metric.Name()}");
                if (annSettings is not null)
                {
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    index.SetAnn(annSettings);
                    o.WriteLine($"wrote {EmbeddingIndex.GraphPathFor(Path.GetFullPath(outPath))}: HNSW graph ({AnnOptions.Describe(annSettings)}) in {watch.Elapsed.TotalSeconds:F1} s");
                }
            }
            return 0;
        });
        return c;
    }

    private static Command Add(Func<string, IEmbeddingModel> loadModel)
    {
        var index = IndexOption();
        var model = new Option<string>("--model") { Description = "The model directory the index was built with.", Required = true };
        var files = new Option<string[]>("--file") { Description = "Media file(s) to embed and add; the medium comes from the extension.", Required = true, AllowMultipleArgumentsPerToken = true };
        var label = new Option<int>("--label") { Description = "Class index for the new items (-1: none).", DefaultValueFactory = _ => -1 };
        var c = new Command("add", "Embed media files and add them to an index (appended to its log; no rebuild).") { index, model, files, label };
        c.SetAction(parse =>
        {
            using var idx = EmbeddingIndex.Open(parse.GetValue(index)!);
            var modelDir = parse.GetValue(model)!;
            using var mm = loadModel(modelDir);
            ModelIdentity.Check(idx, mm, modelDir);
            var encoder = new QueryEncoder(mm, idx.Dimension);
            var o = parse.InvocationConfiguration.Output;
            foreach (var f in parse.GetValue(files)!)
            {
                var v = encoder.EncodeFile(f);
                var added = idx.Add([new NewItem(Path.GetFileName(f), MediaTypes.MediumOf(f)!, parse.GetValue(label), Path.GetFullPath(f))], v);
                o.WriteLine($"added {added[0].Id}\t{added[0].Medium}\t{f}");
            }
            return 0;
        });
        return c;
    }

    private static Command Remove()
    {
        var index = IndexOption();
        var ids = SharedOptions.CommaList("--id", "Item id(s) to remove, comma-separated.");
        ids.Required = true;
        var c = new Command("remove", "Remove items by id (recorded in the index's log; no rebuild).") { index, ids };
        c.SetAction(parse =>
        {
            using var idx = EmbeddingIndex.Open(parse.GetValue(index)!);
            int n = idx.Remove(parse.GetValue(ids)!.Select(id => long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v)
                ? v : throw new InputException("--id", "", "item ids (whole numbers), comma-separated", InputException.Excerpt(id))).ToArray());
            parse.InvocationConfiguration.Output.WriteLine($"removed {n} item(s); {idx.Count} left");
            return 0;
        });
        return c;
    }

    private static Command Compact()
    {
        var index = IndexOption();
        var ann = new AnnOptions();
        var c = new Command("compact", "Rewrite an index with its log folded in and removed items dropped (atomically); " +
            "--ann hnsw|none and the HNSW options turn approximate search on or off or change its settings.") { index };
        ann.AddTo(c);
        c.SetAction(parse =>
        {
            var path = parse.GetValue(index)!;
            using var idx = EmbeddingIndex.Open(path);
            var (change, settings) = ann.Read(parse, idx.Ann);
            settings?.Validate();
            idx.Save(path);
            if (change) idx.SetAnn(settings);
            parse.InvocationConfiguration.Output.WriteLine($"compacted {path}: {idx.Count} items");
            return 0;
        });
        return c;
    }

    private static Command Info()
    {
        var index = IndexOption();
        var c = new Command("info", "Verify an index file (all checksums) and print what it holds.") { index };
        c.SetAction(parse =>
        {
            using var idx = EmbeddingIndex.Open(parse.GetValue(index)!, verifyVectors: true);
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"model: {(idx.Method == "" ? "(none)" : idx.Method)} {idx.ModelSha256}");
            o.WriteLine($"dimension {idx.Dimension}, metric {idx.Metric.Name()}, {idx.Count} items");
            foreach (var (m, n) in idx.CountByMedium()) o.WriteLine($"  {m}: {n}");
            if (idx.Encoders.Count > 0)
                o.WriteLine($"encoders: {string.Join(", ", idx.Encoders.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"))}");
            var log = idx.LogStatus;
            o.WriteLine(!log.Exists ? "log: none"
                : log.Stale ? "log: stale (it extends an older version of the index, which a compaction replaced; ignored)"
                : $"log: {log.Records} record(s) replayed");
            if (log.TornBytes > 0)
                o.WriteLine($"log: {log.TornBytes} byte(s) of an interrupted write after the last complete record (ignored; the next change cuts them off)");
            o.WriteLine(idx.AnnInfo is { } a
                ? $"ann: hnsw ({AnnOptions.Describe(a.Settings)}), {a.Vectors} vectors, " +
                  (a.Mapped ? "read in place from its file (memory-mapped), " : $"{a.MemoryBytes / 1048576.0:F1} MiB in memory, ") +
                  $"{a.FileBytes / 1048576.0:F1} MiB file; USearch {a.Version} ({a.Isa})"
                : "ann: none (exact search)");
            o.WriteLine(log.Records > 0 ? "checksums: ok (index file and every log record)" : "checksums: ok");
            return 0;
        });
        return c;
    }
}
