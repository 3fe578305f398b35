using System.CommandLine;
using System.Text.Json;
using CrossMedia.Core;
using CrossMedia.Data.Formats;
using CrossMedia.Index;
using CrossMedia.Models;

namespace CrossMedia.Cli.Commands;

/// <summary>`crossmedia search`: one query (text, media file or vector) against an index.</summary>
internal static class SearchCommand
{
    public static Command Create(Func<string, IEmbeddingModel>? loadModel = null)
    {
        loadModel ??= ModelStore.Load;
        var index = new Option<string>("--index") { Description = "Index file (from 'index build').", Required = true };
        var model = new Option<string?>("--model") { Description = "Model directory the index was built with; needed for every query except --from embedding vectors." };
        var text = new Option<string?>("--text") { Description = "Free-text query (needs a model that reads text, or whose text features came from a pretrained encoder such as minilm)." };
        var file = new Option<string?>("--file") { Description = "Query media file; its medium comes from the extension." };
        var vector = new Option<string?>("--vector") { Description = "Query vector(s) in a .npy file (1-D, or 2-D for several queries)." };
        var item = new Option<long?>("--item") { Description = "Search with an item of the index (its id); the item itself is left out of the results." };
        var from = new Option<string?>("--from") { Description = "What --vector holds: a medium name (its features) or 'embedding' (the common space). Inferred from the length when unambiguous." };
        var medium = SharedOptions.CommaList("--medium", "Only return items of these media, comma-separated (e.g. image,audio).");
        var k = new Option<int>("--k") { Description = $"Results per query (1..{Searcher.KLimit}).", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print results as JSON." };
        var threads = new Option<int>("--threads") { Description = "Search threads (0: all cores).", DefaultValueFactory = _ => 0 };
        var exact = new Option<bool>("--exact") { Description = "Search every stored vector even when the index has approximate (HNSW) search." };
        var c = new Command("search", "Search an index with free text, a media file, a vector or one of its items; prints the nearest items of every medium.")
        {
            index, model, text, file, vector, item, from, medium, k, json, threads, exact,
        };
        c.SetAction(parse =>
        {
            using var idx = EmbeddingIndex.Open(parse.GetValue(index)!, verifyVectors: false);
            idx.Threads = parse.GetValue(threads);
            var modelDir = parse.GetValue(model);
            using var mm = modelDir is null ? null : loadModel(modelDir);
            var results = Searcher.Open(idx, mm, modelDir).Search(new SearchQuery
            {
                Text = parse.GetValue(text),
                File = parse.GetValue(file) is { } f ? new QueryFile(f) : null,
                Vectors = parse.GetValue(vector) is { } v ? ReadVectors(v) : null,
                From = parse.GetValue(from),
                Item = parse.GetValue(item),
                Media = parse.GetValue(medium),
                K = parse.GetValue(k),
                Exact = parse.GetValue(exact),
            });
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                var rows = results.Select(hits => hits.Select(h => new
                {
                    id = h.Item.Id, key = h.Item.Key, medium = h.Item.Medium, label = h.Item.Label,
                    @class = idx.ClassOf(h.Item),
                    source = h.Item.Source, score = h.Score,
                }).ToArray()).ToArray();
                o.WriteLine(JsonSerializer.Serialize(rows.Length == 1 ? (object)rows[0] : rows, new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                // Class names (or numbers in an index without names; "-" for none) set the column's width.
                string ClassOf(IndexItem item) => item.Label < 0 ? "-" : item.Label < idx.ClassNames.Count ? idx.ClassNames[item.Label] : item.Label.ToString(System.Globalization.CultureInfo.InvariantCulture);
                int mediumWidth = Math.Max(8, results.SelectMany(r => r).Select(h => h.Item.Medium.Length).DefaultIfEmpty(0).Max());
                int classWidth = Math.Max(5, results.SelectMany(r => r).Select(h => ClassOf(h.Item).Length).DefaultIfEmpty(0).Max());
                for (int q = 0; q < results.Count; q++)
                {
                    if (results.Count > 1) o.WriteLine($"query {q}:");
                    if (results[q].Length == 0) { o.WriteLine("no results"); continue; }
                    o.WriteLine($"{"rank",4}  {"score",10}  {"medium".PadRight(mediumWidth)}  {"id",8}  {"class".PadRight(classWidth)}  key");
                    int rank = 1;
                    foreach (var h in results[q])
                        o.WriteLine($"{rank++,4}  {h.Score,10:F4}  {h.Item.Medium.PadRight(mediumWidth)}  {h.Item.Id,8}  {ClassOf(h.Item).PadRight(classWidth)}  {h.Item.Key}");
                }
            }
            return 0;
        });
        return c;
    }

    /// <summary>A .npy file of query vectors: 1-D is one query, 2-D one query per row.</summary>
    private static Matrix ReadVectors(string path)
    {
        var array = NpyFile.Read(path);
        return array.Rank == 1
            ? new Matrix(Enumerable.Range(0, array.Count).Select(i => (float)array.GetDouble(i)).ToArray(), 1, array.Count)
            : array.ToMatrix(path, "vector");
    }
}
