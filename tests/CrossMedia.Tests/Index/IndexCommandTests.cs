using System.CommandLine;
using System.Text.Json;
using CrossMedia.Cli;
using CrossMedia.Cli.Commands;
using CrossMedia.Core;
using CrossMedia.Data.Formats;
using CrossMedia.Index;
using CrossMedia.Models;

namespace CrossMedia.Tests.Index;

public sealed class IndexCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cm-indexcli-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (int Code, string Out, string Err) Run(Func<string, IEmbeddingModel> loader, params string[] args) =>
        CrossMedia.Tests.Cli.CliHarness.RunWith(new Command("crossmedia") { IndexCommand.Create(loader), SearchCommand.Create(loader), ServeCommand.Create(loader) }, args);

    private string SaveModel(IEmbeddingModel model, string name)
    {
        var modelDir = Path.Combine(dir, name);
        model.Save(modelDir);
        return modelDir;
    }

    [Fact]
    public void BuildThenSearch_Should_ReturnTheNearestItems_AsBruteForceOverTheModelsEmbeddings()
    {
        var model = new HashingTestModel();
        var modelDir = SaveModel(model, "model");
        var media = HashingTestModel.MakeMediaFolder(Directory.CreateDirectory(Path.Combine(dir, "media")).FullName);
        var indexPath = Path.Combine(dir, "media.cmidx");

        var build = Run(_ => model, "index", "build", "--model", modelDir, "--folder", media, "--out", indexPath);
        Assert.True(build.Code == 0, build.Err);
        Assert.Contains("8 items", build.Out);  // .xyz ignored; 3 text (incl. .md), 2 image, 2 audio, 1 video

        var search = Run(_ => model, "search", "--index", indexPath, "--model", modelDir, "--text", "red bird", "--k", "3", "--json");
        Assert.True(search.Code == 0, search.Err);
        var results = JsonDocument.Parse(search.Out).RootElement.EnumerateArray().ToArray();
        Assert.Equal(3, results.Length);

        // Independent: cosine between the query's and every file's model embedding, in double precision.
        var q = model.TextVector("red bird");
        var files = Directory.EnumerateFiles(media, "*", SearchOption.AllDirectories).Where(f => MediaTypes.MediumOf(f) is not null);
        var expected = files.Select(f =>
        {
            var text = MediaTypes.MediumOf(f) == "text" ? File.ReadAllText(f) : Path.GetFileNameWithoutExtension(f).Replace('_', ' ');
            var v = model.TextVector(text);
            double dot = 0, nq = 0, nv = 0;
            for (int i = 0; i < v.Length; i++) { dot += q[i] * v[i]; nq += q[i] * q[i]; nv += v[i] * v[i]; }
            return (Path: f, Score: dot / Math.Sqrt(nq * nv));
        }).OrderByDescending(x => x.Score).Take(3).ToArray();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i].Path, results[i].GetProperty("source").GetString());
            Assert.Equal(expected[i].Score, results[i].GetProperty("score").GetDouble(), 4);
        }
        Assert.Equal("red_bird.png", Path.GetFileName(results[0].GetProperty("source").GetString()));
        Assert.Equal("birds", results[0].GetProperty("class").GetString());

        var onlyAudio = Run(_ => model, "search", "--index", indexPath, "--model", modelDir, "--text", "red bird", "--medium", "audio", "--json");
        var audio = JsonDocument.Parse(onlyAudio.Out).RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, audio.Length);
        Assert.All(audio, r => Assert.Equal("audio", r.GetProperty("medium").GetString()));
    }

    [Fact]
    public void Search_Should_ExplainWhatTheModelAccepts_WhenItHasNoTextEncoder()
    {
        var model = new HashingTestModel(dimension: 10, acceptsFiles: false);
        var modelDir = SaveModel(model, "cca-like");
        var v = new Matrix(5, 10);
        for (int i = 0; i < 5; i++) v[i, i] = 1;
        var vectors = Path.Combine(dir, "v.npy");
        NpyFile.Write(vectors, v);
        var indexPath = Path.Combine(dir, "v.cmidx");
        Assert.Equal(0, Run(_ => model, "index", "build", "--model", modelDir, "--vectors", vectors, "--medium", "image", "--out", indexPath).Code);

        var (code, _, err) = Run(_ => model, "search", "--index", indexPath, "--model", modelDir, "--text", "a bird");
        Assert.Equal(2, code);
        Assert.Contains("text encoder", err);
        Assert.Contains("image feature vectors (128-d", err);
        Assert.Contains("text feature vectors (10-d", err);
        Assert.Single(err.Trim().Split('\n'));

        // A common-space vector works without any encoder.
        var query = Path.Combine(dir, "q.npy");
        NpyFile.Write(query, Matrix.FromRows([[0f, 0, 1, 0, 0, 0, 0, 0, 0, 0]]));
        var ok = Run(_ => model, "search", "--index", indexPath, "--vector", query, "--from", "embedding", "--k", "1", "--json");
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Equal("2", JsonDocument.Parse(ok.Out).RootElement[0].GetProperty("key").GetString());
    }

    [Fact]
    public void Search_Should_RefuseAQueryWhoseInnerProductsOverflow_WithOneLineAndExitCode2()
    {
        var vectors = Path.Combine(dir, "v.npy");
        NpyFile.Write(vectors, Matrix.FromRows([[1f, 2, 3], [-3f, 1, 0]]));
        var indexPath = Path.Combine(dir, "ip.cmidx");
        var built = Run(_ => new HashingTestModel(), "index", "build", "--vectors", vectors, "--out", indexPath, "--metric", "ip");
        Assert.True(built.Code == 0, built.Err);
        var query = Path.Combine(dir, "q.npy");
        NpyFile.Write(query, Matrix.FromRows([[1e38f, 1e38f, 1e38f]]));
        var (code, output, err) = Run(_ => new HashingTestModel(), "search", "--index", indexPath, "--vector", query, "--from", "embedding", "--json");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var line = Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("error: query: row 0: expected a vector of norm at most", line);
    }

    [Fact]
    public void Search_Should_RefuseAnotherModel_ThanTheIndexWasBuiltWith()
    {
        var model = new HashingTestModel();
        var modelDir = SaveModel(model, "m1");
        var media = HashingTestModel.MakeMediaFolder(Directory.CreateDirectory(Path.Combine(dir, "media")).FullName);
        var indexPath = Path.Combine(dir, "i.cmidx");
        Assert.Equal(0, Run(_ => model, "index", "build", "--model", modelDir, "--folder", media, "--out", indexPath).Code);
        var other = SaveModel(new HashingTestModel(), "m2");
        File.AppendAllText(Path.Combine(other, "model.json"), " ");
        var (code, _, err) = Run(_ => model, "search", "--index", indexPath, "--model", other, "--text", "bird");
        Assert.Equal(2, code);
        Assert.Contains("the model the index was built with", err);
    }

    [Fact]
    public void AddRemoveCompact_Should_ChangeTheIndexWithoutRebuild()
    {
        var model = new HashingTestModel();
        var modelDir = SaveModel(model, "model");
        var media = HashingTestModel.MakeMediaFolder(Directory.CreateDirectory(Path.Combine(dir, "media")).FullName);
        var indexPath = Path.Combine(dir, "i.cmidx");
        Assert.Equal(0, Run(_ => model, "index", "build", "--model", modelDir, "--folder", media, "--out", indexPath).Code);
        var extra = Path.Combine(dir, "blue_whale.png");
        File.WriteAllBytes(extra, HashingTestModel.TinyPng());
        var add = Run(_ => model, "index", "add", "--index", indexPath, "--model", modelDir, "--file", extra);
        Assert.True(add.Code == 0, add.Err);
        Assert.StartsWith("added 8\timage", add.Out);
        var top = Run(_ => model, "search", "--index", indexPath, "--model", modelDir, "--text", "blue whale", "--k", "1", "--json");
        Assert.Equal(8, JsonDocument.Parse(top.Out).RootElement[0].GetProperty("id").GetInt64());
        Assert.Contains("removed 1 item(s); 8 left", Run(_ => model, "index", "remove", "--index", indexPath, "--id", "8").Out);
        Assert.Equal(0, Run(_ => model, "index", "compact", "--index", indexPath).Code);
        Assert.False(File.Exists(indexPath + ".log"));
        var info = Run(_ => model, "index", "info", "--index", indexPath);
        Assert.Contains("8 items", info.Out);
        Assert.Contains("checksums: ok", info.Out);
    }

    [Fact]
    public void Build_Should_FailClearly_WhenTheModelReadsNoFiles()
    {
        var model = new HashingTestModel(10, acceptsFiles: false);
        var modelDir = SaveModel(model, "m");
        var media = HashingTestModel.MakeMediaFolder(Directory.CreateDirectory(Path.Combine(dir, "media")).FullName);
        var (code, _, err) = Run(_ => model, "index", "build", "--model", modelDir, "--folder", media, "--out", Path.Combine(dir, "x.cmidx"));
        Assert.Equal(2, code);
        Assert.Contains("model 'features-test' accepts: image (128-d feature vectors), text (10-d feature vectors)", err);
    }

    [Fact]
    public void Serve_Should_RefuseNonLoopbackAddresses_AndBadLimits_WithOneLine()
    {
        var model = new HashingTestModel();
        var modelDir = SaveModel(model, "model");
        var media = HashingTestModel.MakeMediaFolder(Directory.CreateDirectory(Path.Combine(dir, "media")).FullName);
        var indexPath = Path.Combine(dir, "s.cmidx");
        Assert.Equal(0, Run(_ => model, "index", "build", "--model", modelDir, "--folder", media, "--out", indexPath).Code);
        var remote = Run(_ => model, "serve", "--index", indexPath, "--model", modelDir, "--urls", "http://0.0.0.0:5099");
        Assert.Equal(2, remote.Code);
        Assert.Contains("loopback", remote.Err);
        var badK = Run(_ => model, "serve", "--index", indexPath, "--max-k", "0");
        Assert.Equal(2, badK.Code);
        Assert.Contains("--max-k", badK.Err);
    }

    [Fact]
    public void BuildFolder_Should_FailListingUndecodableFiles_UnlessSkipBad()
    {
        var model = new HashingTestModel();
        var modelDir = SaveModel(model, "model");
        var media = HashingTestModel.MakeMediaFolder(Directory.CreateDirectory(Path.Combine(dir, "media")).FullName);
        var empty = Path.Combine(media, "birds", "empty.png");
        File.WriteAllBytes(empty, []);
        var words = Path.Combine(media, "music", "words.wav");
        File.WriteAllText(words, "not a sound");
        var huge = Path.Combine(media, "claims.png");
        File.WriteAllBytes(huge, CrossMedia.Tests.Media.HostileMedia.Png(100_000, 100_000));
        var indexPath = Path.Combine(dir, "bad.cmidx");

        var failed = Run(_ => model, "index", "build", "--model", modelDir, "--folder", media, "--out", indexPath);
        Assert.Equal(2, failed.Code);
        Assert.Contains($"{media}: expected media files that can all be decoded (skipping bad files leaves the others out), found 3 that cannot", failed.Err);
        foreach (var bad in new[] { empty, words, huge }) Assert.Contains($"undecodable {bad}: ", failed.Out);
        Assert.False(File.Exists(indexPath));

        var skipped = Run(_ => model, "index", "build", "--model", modelDir, "--folder", media, "--out", indexPath, "--skip-bad");
        Assert.True(skipped.Code == 0, skipped.Err);
        Assert.Contains($"undecodable {huge}: size: expected sides of at most 16384 pixels, found 100000x100000", skipped.Out);
        Assert.Contains("3 undecodable files left out", skipped.Out);
        Assert.Contains("8 items", skipped.Out);  // the 8 good files only
    }

    [Theory]
    [InlineData("empty.png", "expected a picture (PNG, JPEG, WebP, GIF, BMP or SVG), found an empty file")]
    [InlineData("empty.txt", "expected some text, found an empty file")]
    [InlineData("words.wav", "expected audio ffmpeg can decode, found")]
    [InlineData("claims.png", "size: expected sides of at most 16384 pixels, found 100000x100000")]
    public void SearchAndAdd_Should_RefuseAnUndecodableFile_WithExitCode2(string name, string reason)
    {
        var model = new HashingTestModel();
        var modelDir = SaveModel(model, "model");
        var media = HashingTestModel.MakeMediaFolder(Directory.CreateDirectory(Path.Combine(dir, "media")).FullName);
        var indexPath = Path.Combine(dir, "i.cmidx");
        Assert.Equal(0, Run(_ => model, "index", "build", "--model", modelDir, "--folder", media, "--out", indexPath).Code);
        var file = Path.Combine(dir, name);
        File.WriteAllBytes(file, name.StartsWith("claims", StringComparison.Ordinal) ? CrossMedia.Tests.Media.HostileMedia.Png(100_000, 100_000)
            : name.StartsWith("words", StringComparison.Ordinal) ? "not a sound"u8.ToArray() : []);

        var search = Run(_ => model, "search", "--index", indexPath, "--model", modelDir, "--file", file);
        Assert.Equal(2, search.Code);
        Assert.Equal("", search.Out);
        Assert.StartsWith($"error: {file}: {reason}", search.Err);
        var add = Run(_ => model, "index", "add", "--index", indexPath, "--model", modelDir, "--file", file);
        Assert.Equal(2, add.Code);
        Assert.StartsWith($"error: {file}: {reason}", add.Err);
        Assert.Contains("8 items", Run(_ => model, "index", "info", "--index", indexPath).Out);
    }
}
