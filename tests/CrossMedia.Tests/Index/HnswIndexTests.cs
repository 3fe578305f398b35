using System.CommandLine;
using CrossMedia.Cli.Commands;
using CrossMedia.Core;
using CrossMedia.Data.Formats;
using CrossMedia.Index;
using CrossMedia.Index.Ann;

namespace CrossMedia.Tests.Index;

/// <summary>Approximate (HNSW) search as an option of an <see cref="EmbeddingIndex"/>: answers, sync with changes, repair.</summary>
public sealed class HnswIndexTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cm-hnsw-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    private const int Dim = 16;

    /// <summary>Class-structured vectors: <paramref name="classes"/> random centres plus noise.</summary>
    internal static Matrix Clustered(int n, int dim, int classes, int seed, out int[] labels)
    {
        var rng = new Random(seed);
        var centres = new float[classes * dim];
        for (int i = 0; i < centres.Length; i++) centres[i] = (float)(rng.NextDouble() * 2 - 1);
        var m = new Matrix(n, dim);
        labels = new int[n];
        for (int r = 0; r < n; r++)
        {
            int c = labels[r] = rng.Next(classes);
            for (int j = 0; j < dim; j++) m.Data[r * dim + j] = centres[c * dim + j] + 0.35f * (float)(rng.NextDouble() * 2 - 1);
        }
        return m;
    }

    private static EmbeddingIndex Build(int n, Metric metric, int seed = 1, string[]? media = null)
    {
        media ??= ["image", "text"];
        var v = Clustered(n, Dim, 20, seed, out var labels);
        var index = EmbeddingIndex.Create(new IndexHeader("test", "abc", Dim, metric, media, Enumerable.Range(0, 20).Select(i => $"c{i}").ToArray()));
        index.Add(Enumerable.Range(0, n).Select(i => new NewItem($"k{i}", media[i % media.Length], labels[i])).ToArray(), v);
        return index;
    }

    private static long[][] Ids(IReadOnlyList<SearchHit[]> hits) => hits.Select(h => h.Select(x => x.Item.Id).ToArray()).ToArray();

    private static double Recall(IReadOnlyList<SearchHit[]> approx, IReadOnlyList<SearchHit[]> exact)
    {
        double found = 0, total = 0;
        for (int q = 0; q < exact.Count; q++)
        {
            var truth = exact[q].Select(h => h.Item.Id).ToHashSet();
            found += approx[q].Count(h => truth.Contains(h.Item.Id));
            total += truth.Count;
        }
        return found / total;
    }

    [Theory]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.InnerProduct)]
    [InlineData(Metric.L2)]
    public void TinyIndexAtHighExpansion_Should_EqualExactSearch(Metric metric)
    {
        using var index = Build(300, metric);
        index.SetAnn(new AnnSettings(ExpansionSearch: 500));
        var q = Clustered(20, Dim, 20, seed: 7, out _);
        var approx = index.Search(q, 10);
        var exact = index.Search(q, 10, exact: true);
        Assert.Equal(Ids(exact), Ids(approx));
        for (int r = 0; r < q.Rows; r++)
            for (int j = 0; j < 10; j++) Assert.Equal(exact[r][j].Score, approx[r][j].Score, 1e-4f);
    }

    [Fact]
    public void ClusteredVectors_Should_ReachRecallAt10AboveNinetyFivePercent_AndFiltersShouldHold()
    {
        using var index = Build(4000, Metric.Cosine);
        index.SetAnn(new AnnSettings());
        var q = Clustered(200, Dim, 20, seed: 9, out _);
        Assert.True(Recall(index.Search(q, 10), index.Search(q, 10, exact: true)) >= 0.95);
        // A filter keeping half the items over-fetches from the graph; one keeping a single class of one medium
        // (1/40 of the items: 2·k·40 candidates would be too many) is scanned exactly.
        foreach (var filter in new[] { new SearchFilter(new HashSet<string> { "text" }, null), new SearchFilter(new HashSet<string> { "text" }, new HashSet<int> { 3 }) })
        {
            var approx = index.Search(q, 10, filter);
            Assert.All(approx.SelectMany(h => h), h => Assert.True(h.Item.Medium == "text" && (filter.Labels is null || h.Item.Label == 3)));
            Assert.True(Recall(approx, index.Search(q, 10, filter, exact: true)) >= 0.95);
        }
    }

    [Theory]
    [InlineData(Metric.Cosine, "f16")]
    [InlineData(Metric.Cosine, "bf16")]
    [InlineData(Metric.L2, "f16")]
    public void QuantizedGraph_Should_KeepRecallAndExactScores_InLessMemory(Metric metric, string quantization)
    {
        var path = Path.Combine(dir, $"{metric}-{quantization}.cmidx");
        using var index = Build(4000, metric);
        index.Save(path);
        index.SetAnn(new AnnSettings());
        long f32Bytes = index.AnnInfo!.FileBytes;
        index.SetAnn(new AnnSettings(Quantization: quantization));
        Assert.Equal(quantization, index.Ann!.Quantization);
        // The graph file holds the vectors in the graph's type: 4000 × 16 × 2 fewer bytes.
        long saved = 4000L * Dim * 2;
        Assert.Equal(f32Bytes - saved, index.AnnInfo!.FileBytes, tolerance: 200);
        var q = Clustered(200, Dim, 20, seed: 9, out _);
        var approx = index.Search(q, 10);
        var exact = index.Search(q, 10, exact: true);
        Assert.True(Recall(approx, exact) >= 0.95, $"{quantization}: recall {Recall(approx, exact)}");
        // Hits are scored with the index's vectors: a hit's score is its exact score.
        var exactScores = index.Search(q, 4000, exact: true).Select(h => h.ToDictionary(x => x.Item.Id, x => x.Score)).ToArray();
        for (int r = 0; r < q.Rows; r++)
            Assert.All(approx[r], h => Assert.Equal(exactScores[r][h.Item.Id], h.Score, 1e-4f));
    }

    [Fact]
    public void Quantization_Should_BeKeptOnReopen_RebuiltWhenTheGraphFileDiffers_AndUnknownTypesRefused()
    {
        var path = Path.Combine(dir, "q.cmidx");
        using (var index = Build(300, Metric.Cosine))
        {
            index.SetAnn(new AnnSettings(Quantization: "bf16"));
            index.Save(path);
        }
        var warnings = new List<string>();
        using (var index = EmbeddingIndex.Open(path, warn: warnings.Add)) Assert.Equal("bf16", index.Ann!.Quantization);
        Assert.Empty(warnings);
        // Settings written before quantization existed mean f32; the bf16 graph file no longer fits them: rebuilt.
        File.WriteAllText(EmbeddingIndex.AnnPathFor(path), """{"Connectivity":16,"ExpansionAdd":128,"ExpansionSearch":64}""");
        using (var index = EmbeddingIndex.Open(path, warn: warnings.Add)) Assert.Equal("f32", index.Ann!.Quantization);
        Assert.Contains(warnings, w => w.Contains("quantization bf16", StringComparison.Ordinal) && w.Contains("rebuilding", StringComparison.Ordinal));
        using var small = Build(50, Metric.L2);
        var e = Assert.Throws<InputException>(() => small.SetAnn(new AnnSettings(Quantization: "i8")));
        Assert.Contains("quantization", e.Message, StringComparison.Ordinal);
        Assert.Contains("f32, f16, bf16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenedGraph_Should_BeAMappedView_AnsweringAsTheBuiltOne_UntilTheFirstChangeCopiesIt()
    {
        var path = Path.Combine(dir, "view.cmidx");
        var q = Clustered(40, Dim, 20, seed: 5, out _);
        long[][] built;
        using (var index = Build(2000, Metric.Cosine))
        {
            index.SetAnn(new AnnSettings(ExpansionSearch: 100, Quantization: "f16"));
            index.Save(path);
            built = Ids(index.Search(q, 10));
            Assert.False(index.AnnInfo!.Mapped);  // built in memory
        }
        using (var index = EmbeddingIndex.Open(path))
        {
            Assert.True(index.AnnInfo!.Mapped);
            Assert.Equal(built, Ids(index.Search(q, 10)));
            // Concurrent searches on the view, beyond the thread slots.
            var answers = new long[q.Rows][][];
            Parallel.For(0, q.Rows, new ParallelOptions { MaxDegreeOfParallelism = 4 * HnswGraph.Slots }, r => answers[r] = Ids(index.Search(q.SelectRows([r]), 10))[0..1]);
            Assert.Equal(built, answers.Select(a => a[0]).ToArray());
            index.SetAnn(new AnnSettings(ExpansionSearch: 2000, Quantization: "f16"));  // expansion_search alone: still the view
            Assert.True(index.AnnInfo!.Mapped);
            Assert.Equal(Ids(index.Search(q, 10, exact: true)), Ids(index.Search(q, 10)));
            // A compaction of an unchanged view writes the same graph, and replacing the file under the view is safe.
            index.Save(path);
            Assert.True(index.AnnInfo!.Mapped);
            Assert.Equal(Ids(index.Search(q, 10, exact: true)), Ids(index.Search(q, 10)));
            var added = index.Add([new NewItem("near", "image", 1)], q.SelectRows([0]))[0];
            Assert.False(index.AnnInfo!.Mapped);  // copied into memory to take the change
            Assert.Equal(added.Id, index.Search(q.SelectRows([0]), 1)[0][0].Item.Id);
            index.Remove([added.Id]);
            Assert.Equal(Ids(index.Search(q, 10, exact: true)), Ids(index.Search(q, 10)));
        }
        var warnings = new List<string>();
        using (var index = EmbeddingIndex.Open(path, warn: warnings.Add))
        {
            Assert.Equal(2, index.LogStatus.Records);  // the add and the remove, which leave the saved graph as it was
            Assert.True(index.AnnInfo!.Mapped);
            Assert.Equal(Ids(index.Search(q, 10, exact: true)), Ids(index.Search(q, 10)));
        }
        Assert.Empty(warnings);
    }

    [Fact]
    public void AddRemoveCompact_Should_KeepTheGraphInSync_AndSurviveReopen()
    {
        var path = Path.Combine(dir, "a.cmidx");
        using (var index = Build(500, Metric.Cosine))
        {
            index.SetAnn(new AnnSettings(ExpansionSearch: 400));
            index.Save(path);
        }
        Assert.True(File.Exists(EmbeddingIndex.GraphPathFor(path)));
        var extra = Clustered(30, Dim, 20, seed: 3, out _);
        var q = Matrix.VStack([Matrix.FromRows([extra.Row(0).ToArray()]), Clustered(5, Dim, 20, seed: 4, out _)]);
        var warnings = new List<string>();
        long[] added;
        using (var index = EmbeddingIndex.Open(path, warn: warnings.Add))
        {
            added = index.Add(Enumerable.Range(0, 30).Select(i => new NewItem($"x{i}", "image", 1)).ToArray(), extra).Select(a => a.Id).ToArray();
            index.Remove([0, 1, 2, added[5]]);
            Assert.Equal(added[0], index.Search(q, 1)[0][0].Item.Id);
            Assert.Equal(Ids(index.Search(q, 10, exact: true)), Ids(index.Search(q, 10)));
        }
        // Reopen: the graph file predates the log; replaying the log brings it up to date.
        using (var index = EmbeddingIndex.Open(path, warn: warnings.Add))
        {
            Assert.Equal(526, index.AnnInfo!.Vectors);
            Assert.Equal(Ids(index.Search(q, 10, exact: true)), Ids(index.Search(q, 10)));
            Assert.DoesNotContain(index.Search(q, 50).SelectMany(h => h), h => h.Item.Id is 0 or 1 or 2 || h.Item.Id == added[5]);
            index.Save(path);
        }
        using (var index = EmbeddingIndex.Open(path, warn: warnings.Add))
        {
            Assert.Equal(526, index.AnnInfo!.Vectors);
            Assert.Equal(400, index.Ann!.ExpansionSearch);  // not stored by USearch: kept in our settings file
            Assert.Equal(Ids(index.Search(q, 10, exact: true)), Ids(index.Search(q, 10)));
        }
        Assert.Empty(warnings);
    }

    [Fact]
    public void AnotherWritersCompaction_Should_BeFollowedWithItsGraph_WithoutARebuild()
    {
        var path = Path.Combine(dir, "w.cmidx");
        using (var index = Build(400, Metric.Cosine))
        {
            index.SetAnn(new AnnSettings(ExpansionSearch: 400));
            index.Save(path);
        }
        var warnings = new List<string>();
        var q = Clustered(10, Dim, 20, seed: 6, out _);
        using var reader = EmbeddingIndex.Open(path, warn: warnings.Add);
        reader.Search(q, 10);
        using (var writer = EmbeddingIndex.Open(path, warn: warnings.Add))
        {
            writer.Remove(Enumerable.Range(0, 100).Select(i => (long)i).ToArray());
            writer.Save(path);
        }
        var hits = reader.Search(q, 10);
        Assert.Equal(300, reader.AnnInfo!.Vectors);
        Assert.DoesNotContain(hits.SelectMany(h => h), h => h.Item.Id < 100);
        Assert.Equal(Ids(reader.Search(q, 10, exact: true)), Ids(hits));
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("flipped")]
    [InlineData("truncated")]
    public void DamagedOrMissingGraph_Should_BeRebuiltFromTheVectorsWithAWarning(string damage)
    {
        var path = Path.Combine(dir, "b.cmidx");
        using (var index = Build(400, Metric.L2))
        {
            index.SetAnn(new AnnSettings(ExpansionSearch: 400));
            index.Save(path);
        }
        var graph = EmbeddingIndex.GraphPathFor(path);
        var bytes = File.ReadAllBytes(graph);
        if (damage == "missing") File.Delete(graph);
        else if (damage == "flipped") { bytes[bytes.Length / 2] ^= 0x5A; File.WriteAllBytes(graph, bytes); }
        else File.WriteAllBytes(graph, bytes.AsSpan(0, bytes.Length / 3).ToArray());
        var warnings = new List<string>();
        var q = Clustered(10, Dim, 20, seed: 5, out _);
        using (var index = EmbeddingIndex.Open(path, warn: warnings.Add))
        {
            Assert.Contains(warnings, w => w.Contains("rebuilding the HNSW graph"));
            Assert.Equal(Ids(index.Search(q, 10, exact: true)), Ids(index.Search(q, 10)));
        }
        warnings.Clear();
        using (EmbeddingIndex.Open(path, warn: warnings.Add)) Assert.Empty(warnings);  // the rebuilt graph was written
    }

    [Fact]
    public void GraphFile_Should_RoundTripAndCatchDamage_InChunksSmallerThanTheGraph()
    {
        // Graphs over 2 GiB (a 3M × 128 shard's) cannot pass through one span: save and load move chunks. Small chunks here
        // run those loops over many steps, with a last partial one.
        var settings = new AnnSettings(ExpansionSearch: 200);
        using var graph = HnswGraph.Create(Dim, Metric.L2, settings);
        var x = Clustered(300, Dim, 10, seed: 8, out _);
        for (int i = 0; i < x.Rows; i++) graph.Add(i, x.RowReadOnly(i));
        var file = Path.Combine(dir, "g.hnsw");
        graph.Save(file, chunk: 1000);
        using var whole = HnswGraph.Load(file, Dim, Metric.L2, settings);
        using var chunked = HnswGraph.Load(file, Dim, Metric.L2, settings, chunk: 777);
        Assert.Equal(graph.Size, chunked.Size);
        var q = Clustered(5, Dim, 10, seed: 9, out _);
        for (int r = 0; r < q.Rows; r++)
        {
            ulong[] k1 = new ulong[10], k2 = new ulong[10];
            float[] d1 = new float[10], d2 = new float[10];
            Assert.Equal(graph.Search(q.RowReadOnly(r), 10, k1, d1), chunked.Search(q.RowReadOnly(r), 10, k2, d2));
            Assert.Equal(k1, k2);
            whole.Search(q.RowReadOnly(r), 10, k2, d2);
            Assert.Equal(k1, k2);
        }
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0x01;  // in the last, partial chunk
        File.WriteAllBytes(file, bytes);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => HnswGraph.Load(file, Dim, Metric.L2, settings, chunk: 777)).Message);
    }

    [Fact]
    public void Graph_Should_RefuseWrongLengthVectors()
    {
        using var graph = HnswGraph.Create(8, Metric.InnerProduct, new AnnSettings());
        Assert.Throws<InputException>(() => graph.Add(1, new float[7]));
        Assert.Throws<InputException>(() => graph.Search(new float[9], 1, new ulong[1], new float[1]));
        graph.Add(1, new float[8]);
        Assert.Equal(1, graph.Size);
        using var index = Build(50, Metric.Cosine);
        index.SetAnn(new AnnSettings());
        Assert.Throws<InputException>(() => index.Search(new Matrix(1, Dim + 1), 5));
    }

    private static (int Code, string Out, string Err) Run(params string[] args) =>
        CrossMedia.Tests.Cli.CliHarness.RunWith(new Command("crossmedia") { IndexCommand.Create(), SearchCommand.Create() }, args);

    [Fact]
    public void Cli_Should_BuildWithAnn_ShowItInInfo_SearchExactOnRequest_AndNameBadSettings()
    {
        var v = Clustered(300, Dim, 20, seed: 2, out _);
        var vectors = Path.Combine(dir, "v.npy");
        var query = Path.Combine(dir, "q.npy");
        NpyFile.Write(vectors, v);
        NpyFile.Write(query, Matrix.FromRows([v.Row(7).ToArray()]));
        var path = Path.Combine(dir, "c.cmidx");
        var build = Run("index", "build", "--vectors", vectors, "--out", path, "--ann", "hnsw", "--connectivity", "8", "--expansion-search", "300");
        Assert.True(build.Code == 0, build.Err);
        Assert.Contains("HNSW graph (connectivity 8, expansion-add 128, expansion-search 300, quantization f32)", build.Out);
        var info = Run("index", "info", "--index", path);
        Assert.Contains("ann: hnsw (connectivity 8, expansion-add 128, expansion-search 300, quantization f32), 300 vectors", info.Out);
        var approx = Run("search", "--index", path, "--vector", query, "--from", "embedding", "--json");
        var exact = Run("search", "--index", path, "--vector", query, "--from", "embedding", "--json", "--exact");
        Assert.True(approx.Code == 0 && exact.Code == 0, approx.Err + exact.Err);
        // Same items; scores agree to float rounding (the exact kernel sums in another order).
        static long[] IdsOf(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToArray();
        Assert.Equal(IdsOf(exact.Out), IdsOf(approx.Out));
        Assert.Equal(0, Run("index", "compact", "--index", path, "--expansion-search", "40").Code);
        Assert.Contains("expansion-search 40, quantization f32)", Run("index", "info", "--index", path).Out);
        Assert.Equal(0, Run("index", "compact", "--index", path, "--ann", "none").Code);
        Assert.Contains("ann: none", Run("index", "info", "--index", path).Out);
        Assert.False(File.Exists(EmbeddingIndex.GraphPathFor(path)));
        var bad = Run("index", "build", "--vectors", vectors, "--out", path, "--ann", "hnsw", "--connectivity", "1");
        Assert.Equal(2, bad.Code);
        Assert.Contains("--connectivity", bad.Err);
    }
}
