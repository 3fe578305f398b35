using System.CommandLine;
using CrossMedia.Cli.Commands;
using CrossMedia.Core;
using CrossMedia.Data.Builtin;
using CrossMedia.Data.Formats;
using CrossMedia.Evaluation;
using CrossMedia.Index;
using CrossMedia.Models;

namespace CrossMedia.Tests.Index;

/// <summary>
/// `index build --vectors --labels`, the seed `index build --model` loads a generated dataset with, and
/// `search`'s table (issue 12, items 3, 6 and 7).
/// </summary>
public sealed class IndexCliPolishTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cm-indexpolish-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (int Code, string Out, string Err) Run(Func<string, IEmbeddingModel> loader, params string[] args) =>
        CrossMedia.Tests.Cli.CliHarness.RunWith(new Command("crossmedia") { IndexCommand.Create(loader), SearchCommand.Create(loader) }, args);

    private static (int Code, string Out, string Err) Run(params string[] args) => Run(_ => throw new InvalidOperationException("no model"), args);

    private string Vectors(int rows)
    {
        var v = new Matrix(rows, 4);
        for (int i = 0; i < rows; i++) v[i, i % 4] = 1 + i;
        var path = Path.Combine(dir, "v.npy");
        NpyFile.Write(path, v);
        return path;
    }

    [Fact]
    public void BuildVectors_Should_AttachIntegerLabelsFromNpy()
    {
        var vectors = Vectors(5);
        var labels = Path.Combine(dir, "l.npy");
        NpyFile.Write(labels, new long[] { 0, 1, 2, 1, -1 });
        var index = Path.Combine(dir, "i.cmidx");
        var r = Run("index", "build", "--vectors", vectors, "--labels", labels, "--out", index);
        Assert.True(r.Code == 0, r.Err);
        using var idx = EmbeddingIndex.Open(index);
        Assert.Equal([0, 1, 2, 1, -1], idx.Items().OrderBy(i => i.Id).Select(i => i.Label));
        Assert.Empty(idx.ClassNames);
    }

    [Fact]
    public void BuildVectors_Should_TurnClassNamesIntoTheIndexsClasses_AndSearchShouldShowThem()
    {
        var vectors = Vectors(4);
        var labels = Path.Combine(dir, "l.txt");
        File.WriteAllText(labels, "bird\ncat\nbird\ndog\n");
        var index = Path.Combine(dir, "i.cmidx");
        Assert.Equal(0, Run("index", "build", "--vectors", vectors, "--labels", labels, "--medium", "image", "--out", index).Code);
        using (var idx = EmbeddingIndex.Open(index))
        {
            Assert.Equal(["bird", "cat", "dog"], idx.ClassNames);
            Assert.Equal([0, 1, 0, 2], idx.Items().OrderBy(i => i.Id).Select(i => i.Label));
        }

        var query = Path.Combine(dir, "q.npy");
        NpyFile.Write(query, Matrix.FromRows([[0f, 0, 1, 0]]));
        var s = Run("search", "--index", index, "--vector", query, "--from", "embedding", "--k", "2");
        Assert.True(s.Code == 0, s.Err);
        var lines = s.Out.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        // A header row, then rank, score, medium, id, class and key; row 2 (bird) points along axis 2.
        Assert.Equal(3, lines.Length);
        Assert.Equal(["rank", "score", "medium", "id", "class", "key"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["1", "1.0000", "image", "2", "bird", "2"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void BuildVectors_Should_RefuseALabelCountThatDiffersFromTheRows()
    {
        var vectors = Vectors(3);
        var labels = Path.Combine(dir, "l.txt");
        File.WriteAllText(labels, "0\n1\n");
        var r = Run("index", "build", "--vectors", vectors, "--labels", labels, "--out", Path.Combine(dir, "i.cmidx"));
        Assert.Equal(2, r.Code);
        Assert.Equal($"error: {labels}: expected 3 labels (one per row of v.npy), found 2", r.Err.Trim());
        Assert.False(File.Exists(Path.Combine(dir, "i.cmidx")));
    }

    [Fact]
    public void BuildVectors_Should_RefuseANegativeLabel_NamingTheLine()
    {
        var vectors = Vectors(2);
        var labels = Path.Combine(dir, "l.txt");
        File.WriteAllText(labels, "0\n-3\n");
        var r = Run("index", "build", "--vectors", vectors, "--labels", labels, "--out", Path.Combine(dir, "i.cmidx"));
        Assert.Equal(2, r.Code);
        Assert.Equal($"error: {labels}: line 2: expected a class number ≥ 0 (or -1: no label), found '-3'", r.Err.Trim());
    }

    [Fact]
    public void BuildModel_Should_LoadAGeneratedDatasetWithTheSeedOfTheModelsRun()
    {
        // synthetic-media writes other files for another seed: an index built with seed 1 of a model trained with
        // seed 3 covered files the model never saw.
        var model = new HashingTestModel();
        var modelDir = Path.Combine(dir, "model");
        model.Save(modelDir);
        new RunRecord { Method = "hashing-test", Dataset = "synthetic-media", Scenario = "standard", Seed = 3, Config = [], DataChecksums = new Dictionary<string, string>() }
            .Save(Path.Combine(modelDir, "metrics.json"));
        const string Spec = "synthetic-media:classes=2,train=1,val=0,test=1,media=text";
        var root = Path.Combine(dir, "data");
        string[] Sources(params string[] extra)
        {
            var index = Path.Combine(dir, $"i{extra.Length}.cmidx");
            var r = Run(_ => model, ["index", "build", "--model", modelDir, "--dataset", Spec, "--data-root", root, "--out", index, .. extra]);
            Assert.True(r.Code == 0, r.Err);
            using var idx = EmbeddingIndex.Open(index);
            return idx.Items().Select(i => i.Source).Order().ToArray();
        }
        var byDefault = Sources();
        var folder = SyntheticMediaDataset.FolderOf(root, new SyntheticMediaOptions { Seed = 3 }.With(Spec["synthetic-media:".Length..]));
        Assert.All(byDefault, s => Assert.StartsWith(folder, s));
        Assert.Equal(byDefault, Sources("--seed", "3"));
        Assert.NotEqual(byDefault, Sources("--seed", "1", "--split", "all"));
    }
}
