using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CrossMedia.Core;
using CrossMedia.Data.Formats;
using CrossMedia.Evaluation;

namespace CrossMedia.Cli.Commands;

/// <summary>`crossmedia map`: mAP of query embeddings against a gallery, from .npy files.</summary>
internal static class MapCommand
{
    public static Command Create()
    {
        var query = new Option<string>("--query") { Description = "Query embeddings: 2-D .npy array (queries × dimensions), any float or int dtype.", Required = true };
        var queryLabels = new Option<string>("--query-labels") { Description = "Query labels: 1-D .npy integer array, one per query row.", Required = true };
        var gallery = new Option<string>("--gallery") { Description = "Gallery embeddings: 2-D .npy array with the query dimension.", Required = true };
        var galleryLabels = new Option<string>("--gallery-labels") { Description = "Gallery labels: 1-D .npy integer array, one per gallery row.", Required = true };
        var metric = new Option<string>("--metric") { Description = "Distance used for ranking: cosine (default), ip (inner product) or l2 (Euclidean).", DefaultValueFactory = _ => "cosine" };
        metric.AcceptOnlyFromAmong([.. MetricNames.All]);
        var k = new Option<int>("--k") { Description = "mAP@K: only the first K results count, normalised by the relevant items found there (0 = whole ranking).", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object {\"map\", \"queries\", \"queries_without_relevant\"}." };
        var timing = new Option<bool>("--timing") { Description = "Print load and evaluation times to stderr." };
        var classes = new Option<string?>("--classes") { Description = "Evaluate only the queries and gallery items of these labels, comma-separated (e.g. the unseen classes: 0,2,4,6,8)." };
        var plot = new Option<string?>("--plot") { Description = "Also write the precision–recall curves (11-point interpolated and full) to this PNG file, and print precision@K." };

        var command = new Command("map", "Mean average precision of query embeddings against a gallery (whole gallery ranked; ties by gallery index).");
        foreach (var o in new Option[] { query, queryLabels, gallery, galleryLabels, metric, k, classes, threads, json, timing, plot }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            int topK = parse.GetValue(k);
            if (topK < 0) throw new InputException("--k", "", "0 (whole ranking) or a positive K", topK.ToString(CultureInfo.InvariantCulture));
            int threadCount = parse.GetValue(threads);
            if (threadCount < 0) throw new InputException("--threads", "", "0 (all cores) or a positive count", threadCount.ToString(CultureInfo.InvariantCulture));
            var clock = Stopwatch.StartNew();
            var (q, ql) = Load(parse.GetValue(query)!, parse.GetValue(queryLabels)!);
            var (g, gl) = Load(parse.GetValue(gallery)!, parse.GetValue(galleryLabels)!);
            if (q.Cols != g.Cols)
                throw new InputException(parse.GetValue(gallery)!, "shape", $"{q.Cols} columns (the query dimension)", $"{g.Cols} columns");
            if (parse.GetValue(classes) is { } list)
            {
                var keep = ParseClasses(list);
                (q, ql) = OnlyClasses(q, ql, keep);
                (g, gl) = OnlyClasses(g, gl, keep);
                if (q.Rows == 0) throw new InputException("--classes", "", "labels that some queries have", list);
            }
            double loadSeconds = clock.Elapsed.TotalSeconds;
            var m = MetricNames.Parse(parse.GetValue(metric)!);
            var options = new RetrievalOptions(m, topK, Threads: threadCount);
            clock.Restart();
            string? plotPath = parse.GetValue(plot);
            var report = plotPath is null ? null : RetrievalMetrics.Evaluate(q, ql, g, gl, options);
            var result = report?.Map ?? Retrieval.MeanAveragePrecision(q, ql, g, gl, options);
            double evalSeconds = clock.Elapsed.TotalSeconds;
            if (report is not null)
                PrecisionRecallPlot.SavePng(plotPath!, [("11-point interpolated", report.Interpolated), ("full (mean P@k, R@k)", report.Full)],
                    $"{Path.GetFileNameWithoutExtension(parse.GetValue(query))} → {Path.GetFileNameWithoutExtension(parse.GetValue(gallery))}", result.Map);

            var output = parse.InvocationConfiguration.Output;
            string map = result.Map.ToString("R", CultureInfo.InvariantCulture);
            if (parse.GetValue(json))
                output.WriteLine($"{{\"map\": {map}, \"queries\": {result.Queries}, \"queries_without_relevant\": {result.QueriesWithoutRelevant}}}");
            else
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"mAP{(topK > 0 ? $"@{topK}" : "")} = {result.Map:F4}  ({parse.GetValue(metric)}; {result.Queries} queries × {g.Rows} gallery items; {result.QueriesWithoutRelevant} queries without a relevant item{(double.IsNaN(result.Chance) ? "" : $"; chance {result.Chance:F4}")}){(result.Note is { } note ? $"  ({note})" : "")}"));
            if (report is not null && !parse.GetValue(json))
                output.WriteLine(string.Join("  ", report.Cutoffs.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"P@{c} = {report.PrecisionAtK[i]:F4}"))));
            if (parse.GetValue(timing))
                parse.InvocationConfiguration.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"timing: load {loadSeconds:F3} s, evaluation {evalSeconds:F3} s, threads {(threadCount > 0 ? threadCount : Environment.ProcessorCount)}"));
            return 0;
        });
        return command;
    }

    private static HashSet<int> ParseClasses(string list)
    {
        var keep = new HashSet<int>();
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            keep.Add(int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var label)
                ? label : throw new InputException("--classes", part, "integer labels separated by commas", $"'{part}'"));
        return keep.Count > 0 ? keep : throw new InputException("--classes", "", "at least one label", $"'{list}'");
    }

    private static (Matrix, int[]) OnlyClasses(Matrix embeddings, int[] labels, HashSet<int> keep)
    {
        var rows = Enumerable.Range(0, labels.Length).Where(i => keep.Contains(labels[i])).ToArray();
        return (embeddings.SelectRows(rows), rows.Select(i => labels[i]).ToArray());
    }

    /// <summary>Loads embeddings and labels and checks they fit together (InputException naming file and row).</summary>
    internal static (Matrix Embeddings, int[] Labels) Load(string embeddingsPath, string labelsPath)
    {
        var embeddings = NpyFile.Read(embeddingsPath).ToMatrix(embeddingsPath);
        var labels = NpyFile.Read(labelsPath).ToLabels(labelsPath);
        if (labels.Length != embeddings.Rows)
            throw new InputException(labelsPath, "shape", $"{embeddings.Rows} labels (one per row of {embeddingsPath})", $"{labels.Length}");
        int bad = embeddings.FirstNonFiniteRow();
        if (bad >= 0) throw new InputException(embeddingsPath, $"row {bad}", "finite values", "NaN or infinity");
        return (embeddings, labels);
    }
}
