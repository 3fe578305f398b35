using System.CommandLine;
using System.Text.Json;
using CrossMedia.Cli;
using CrossMedia.Core;
using CrossMedia.Data.Formats;
using CrossMedia.Evaluation;

namespace CrossMedia.Tests.Evaluation;

public sealed class MapCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("map-cli");

    public void Dispose() => _dir.Delete(true);

    private string PathOf(string name) => Path.Combine(_dir.FullName, name);

    private static (int Code, string Out, string Err) Run(params string[] args) => CrossMedia.Tests.Cli.CliHarness.Run(args);

    /// <summary>Writes a valid query/gallery set and returns the four paths.</summary>
    private string[] WriteValid(Matrix q, int[] ql, Matrix g, int[] gl)
    {
        NpyFile.Write(PathOf("q.npy"), q);
        NpyFile.Write(PathOf("ql.npy"), ql.Select(x => (long)x).ToArray());
        NpyFile.Write(PathOf("g.npy"), g);
        NpyFile.Write(PathOf("gl.npy"), gl);
        return ["map", "--query", PathOf("q.npy"), "--query-labels", PathOf("ql.npy"), "--gallery", PathOf("g.npy"), "--gallery-labels", PathOf("gl.npy")];
    }

    [Theory]
    [InlineData("cosine", Metric.Cosine, 0)]
    [InlineData("l2", Metric.L2, 0)]
    [InlineData("ip", Metric.InnerProduct, 9)]
    public void Map_Should_PrintOneJsonObjectMatchingBruteForce(string metricName, Metric metric, int k)
    {
        var rng = new Random(4);
        var q = TestData.Gaussian(rng, 23, 8);
        var g = TestData.Gaussian(rng, 41, 8);
        var ql = TestData.Labels(rng, 23, 5);
        var gl = TestData.Labels(rng, 41, 4);
        var args = WriteValid(q, ql, g, gl).Concat(["--metric", metricName, "--k", k.ToString(), "--json"]).ToArray();
        var (code, output, err) = Run(args);
        Assert.True(code == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using var doc = JsonDocument.Parse(lines[0]);
        Assert.Equal(["map", "queries", "queries_without_relevant"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        var expected = NaiveRetrieval.Map(q, NaiveRetrieval.Sets(ql), g, NaiveRetrieval.Sets(gl), metric, k);
        Assert.Equal(expected, doc.RootElement.GetProperty("map").GetDouble(), 1e-6);
        Assert.Equal(23, doc.RootElement.GetProperty("queries").GetInt32());
        Assert.Equal(ql.Count(l => l == 4), doc.RootElement.GetProperty("queries_without_relevant").GetInt32());
    }

    [Fact]
    public void Map_Should_EvaluateOnlyTheGivenClasses_When_ClassesAreListed()
    {
        var rng = new Random(5);
        var q = TestData.Gaussian(rng, 30, 6);
        var g = TestData.Gaussian(rng, 50, 6);
        var ql = TestData.Labels(rng, 30, 5);
        var gl = TestData.Labels(rng, 50, 5);
        var (code, output, err) = Run(WriteValid(q, ql, g, gl).Concat(["--classes", "0, 2,4", "--json"]).ToArray());
        Assert.True(code == 0, err);
        int[] Rows(int[] labels) => Enumerable.Range(0, labels.Length).Where(i => labels[i] is 0 or 2 or 4).ToArray();
        int[] qRows = Rows(ql), gRows = Rows(gl);
        var expected = NaiveRetrieval.Map(q.SelectRows(qRows), NaiveRetrieval.Sets(qRows.Select(i => ql[i]).ToArray()),
            g.SelectRows(gRows), NaiveRetrieval.Sets(gRows.Select(i => gl[i]).ToArray()), Metric.Cosine, 0);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(expected, doc.RootElement.GetProperty("map").GetDouble(), 1e-6);
        Assert.Equal(qRows.Length, doc.RootElement.GetProperty("queries").GetInt32());
        Assert.NotEqual(expected, NaiveRetrieval.Map(q, NaiveRetrieval.Sets(ql), g, NaiveRetrieval.Sets(gl), Metric.Cosine, 0), 6);

        var (badCode, _, badErr) = Run(WriteValid(q, ql, g, gl).Concat(["--classes", "0,x"]).ToArray());
        Assert.Equal(2, badCode);
        Assert.Contains("--classes", badErr);
        Assert.Contains("'x'", badErr);
        Assert.Contains("labels that some queries have", Run(WriteValid(q, ql, g, gl).Concat(["--classes", "9"]).ToArray()).Err);
    }

    [Fact]
    public void Map_Should_PrintAHumanReadableLineWithoutJson()
    {
        var rng = new Random(4);
        var (code, output, _) = Run(WriteValid(TestData.Gaussian(rng, 5, 3), [0, 1, 0, 1, 2], TestData.Gaussian(rng, 6, 3), [0, 1, 0, 1, 0, 1]));
        Assert.Equal(0, code);
        Assert.Matches(@"^mAP = 0\.\d{4} .*5 queries × 6 gallery items; 1 queries without a relevant item", output.Trim());
    }

    public static TheoryData<string, string, string> BadInputs() => new()
    {
        // case, file to corrupt, text the one-line error must contain
        { "bad magic", "q.npy", "magic" },
        { "bad header", "g.npy", "header" },
        { "truncated data", "g.npy", "truncated" },
        { "labels not 1-D", "ql.npy", "1-D" },
        { "embeddings not 2-D", "g.npy", "2-D" },
        { "label count", "gl.npy", "6 labels" },
        { "dimension mismatch", "g.npy", "3 columns" },
        { "nan row", "g.npy", "row 4" },
        { "inf row", "q.npy", "row 2" },
        { "missing file", "gl.npy", "no such file" },
        { "fractional label", "ql.npy", "element 1" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Map_Should_ExitWithCode2AndOneLine_OnBadInput(string name, string file, string mustContain)
    {
        var rng = new Random(9);
        var g = TestData.Gaussian(rng, 6, 3);
        var q = TestData.Gaussian(rng, 5, 3);
        var args = WriteValid(q, [0, 1, 0, 1, 2], g, [0, 1, 0, 1, 0, 1]);
        var path = PathOf(file);
        var bytes = File.ReadAllBytes(path);
        switch (name)
        {
            case "bad magic": bytes[1] = (byte)'X'; File.WriteAllBytes(path, bytes); break;
            case "bad header": File.WriteAllBytes(path, [.. bytes[..10], .. "{'descr' '<f4'}"u8.ToArray()]); break;
            case "truncated data": File.WriteAllBytes(path, bytes[..^5]); break;
            case "labels not 1-D": NpyFile.Write(path, new Matrix(5, 1)); break;
            case "embeddings not 2-D": NpyFile.Write(path, new long[18]); break;
            case "label count": NpyFile.Write(path, new[] { 0, 1, 2 }); break;
            case "dimension mismatch": NpyFile.Write(path, new Matrix(6, 4)); break;
            case "nan row": g[4, 1] = float.NaN; NpyFile.Write(path, g); break;
            case "inf row": q[2, 0] = float.PositiveInfinity; NpyFile.Write(path, q); break;
            case "missing file": File.Delete(path); break;
            case "fractional label": File.Delete(path); WriteFloatLabels(path, [0, 0.5, 1, 1, 2]); break;
        }
        var (code, output, err) = Run(args);
        Assert.True(code == 2, $"exit {code}: {err}");
        Assert.Equal("", output);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(file, lines[0]);
        Assert.Contains(mustContain, lines[0]);
        Assert.DoesNotContain(" at ", lines[0]);
    }

    private static void WriteFloatLabels(string path, double[] values)
    {
        using var fs = File.Create(path);
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + values.Length + ",), }\n";
        fs.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0]);
        fs.Write(System.Text.Encoding.ASCII.GetBytes(header));
        foreach (var v in values) fs.Write(BitConverter.GetBytes(v));
    }

    [Fact]
    public void Map_Should_RejectNegativeK()
    {
        var rng = new Random(1);
        var args = WriteValid(TestData.Gaussian(rng, 2, 2), [0, 1], TestData.Gaussian(rng, 2, 2), [0, 1]).Concat(["--k", "-3"]).ToArray();
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("--k", err);
    }

    [Fact]
    public void Map_Should_WritePrPlotAndPrintPrecisionAtK_WithPlotOption()
    {
        var rng = new Random(6);
        var args = WriteValid(TestData.Gaussian(rng, 12, 4), TestData.Labels(rng, 12, 3), TestData.Gaussian(rng, 30, 4), TestData.Labels(rng, 30, 3))
            .Concat(["--plot", PathOf("pr.png")]).ToArray();
        var (code, output, err) = Run(args);
        Assert.True(code == 0, err);
        Assert.Contains("P@1 = ", output);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(PathOf("pr.png"))[..4]);
    }
}
