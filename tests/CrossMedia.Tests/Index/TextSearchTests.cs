using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Core;
using CrossMedia.Data.Formats;
using CrossMedia.Encoders;
using CrossMedia.Index;
using CrossMedia.Models;
using CrossMedia.Service;
using CrossMedia.Tests.Cli;

namespace CrossMedia.Tests.Index;

/// <summary>
/// Free-text search for models trained on encoder features (issue 10, item 3): a manifest whose text features are
/// MiniLM sentence vectors (`"encoder": "minilm"`) and whose image features are class-separable random vectors; CCA
/// and JFSE trained on it through the CLI record the encoders, and `search --text CLASSNAME` finds that class's
/// images through MiniLM and the model's text branch.
/// </summary>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))] // JFSE training seeds the global torch generator
public sealed class TextSearchTests : IDisposable
{
    private static readonly string[] Classes = ["apple", "dog", "car", "guitar", "house", "bird"];
    private static readonly string[][] Phrases =
    [
        ["a red apple", "a green apple on a tree", "a sliced apple fruit", "a basket of ripe apples"],
        ["a dog", "a puppy playing with a ball", "a brown dog barking", "a sleeping hound"],
        ["a red sports car", "a car parked on the street", "an old blue automobile", "a car driving on the highway"],
        ["an acoustic guitar", "a man playing the electric guitar", "guitar strings close up", "a wooden guitar on a stand"],
        ["a brick house with a chimney", "a small cottage in the woods", "a big family house", "a house with a red roof"],
        ["a small bird on a branch", "a flying seagull", "a parrot with colourful feathers", "a bird singing in the morning"],
    ];
    private static readonly string[] Templates = ["{0}", "a photo of {0}", "a drawing of {0}", "{0} seen from far away"];

    private readonly string dir = Directory.CreateTempSubdirectory("crossmedia-textsearch-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>The dataset's manifest: 16 paired items per class (10 train, 2 val, 4 test).</summary>
    private string WriteManifest(bool textEncoder = true)
    {
        var sentences = new List<string>();
        var labels = new List<string>();
        var splits = new List<string>();
        for (int c = 0; c < Classes.Length; c++)
        {
            int i = 0;
            foreach (var phrase in Phrases[c])
                foreach (var template in Templates)
                {
                    sentences.Add(string.Format(template, phrase));
                    labels.Add(Classes[c]);
                    splits.Add(i < 10 ? "train" : i < 12 ? "val" : "test");
                    i++;
                }
        }
        var text = Matrix.FromRows(sentences.Select(s => QueryFeatures.OfText(EncoderCatalog.MiniLm, s)).ToArray());
        var rng = new Random(5);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var centres = Enumerable.Range(0, Classes.Length).Select(_ => Enumerable.Range(0, 32).Select(_ => Gauss()).ToArray()).ToArray();
        var image = Matrix.FromRows(labels.Select(l => centres[Array.IndexOf(Classes, l)].Select(v => (float)(v + 0.5 * Gauss())).ToArray()).ToArray());
        NpyFile.Write(Path.Combine(dir, "text.npy"), text);
        NpyFile.Write(Path.Combine(dir, "image.npy"), image);
        File.WriteAllLines(Path.Combine(dir, "labels.txt"), labels);
        File.WriteAllLines(Path.Combine(dir, "split.txt"), splits);
        var path = Path.Combine(dir, "data.json");
        File.WriteAllText(path, $$"""
            {
              "name": "words",
              "classes": {{JsonSerializer.Serialize(Classes)}},
              "paired": true,
              "media": {
                "image": { "features": "image.npy", "labels": "labels.txt", "split": "split.txt" },
                "text": { "features": "text.npy", "labels": "labels.txt", "split": "split.txt"{{(textEncoder ? ", \"encoder\": \"minilm\"" : "")}} }
              }
            }
            """);
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    /// <summary>Trains through the CLI, checks model.json records the encoders, and indexes the test split.</summary>
    private string TrainAndIndex(string manifest, string method, params string[] options)
    {
        var modelDir = Path.Combine(dir, method);
        var train = Run(["train", "--method", method, "--dataset", manifest, "--out", modelDir, "--threads", "1", .. options]);
        Assert.True(train.Code == 0, train.Err);
        var index = Path.Combine(dir, method + ".cmidx");
        var build = Run("index", "build", "--model", modelDir, "--dataset", manifest, "--split", "test", "--out", index);
        Assert.True(build.Code == 0, build.Err);
        return index;
    }

    /// <summary>The class of each of the top <paramref name="k"/> image hits for free text.</summary>
    private static string[] TopImageClasses(string index, string modelDir, string text, int k)
    {
        var search = Run("search", "--index", index, "--model", modelDir, "--text", text, "--medium", "image", "--k", k.ToString(), "--json");
        Assert.True(search.Code == 0, search.Err);
        return JsonDocument.Parse(search.Out).RootElement.EnumerateArray().Select(h => h.GetProperty("class").GetString()!).ToArray();
    }

    [Theory]
    [InlineData("cca")]
    [InlineData("jfse", "--epochs", "30", "--hidden", "128", "--noise-dim", "16", "--lr", "3e-4", "--batch-size", "10", "--eval-every", "5", "--checkpoint-every", "0", "--zscore", "false")]
    public async Task SearchText_Should_FindTheClassNamed_ThroughTheModelsTextEncoder(string method, params string[] options)
    {
        var manifest = WriteManifest();
        var index = TrainAndIndex(manifest, method, options);
        var modelDir = Path.Combine(dir, method);

        using (var model = ModelStore.Load(modelDir))
            Assert.Equal([("image", null), ("text", "minilm")], model.Media.Select(s => (s.Name, s.Encoder)));
        var info = Run("index", "info", "--index", index);
        Assert.Contains("encoders: text=minilm", info.Out);

        // Class names as queries: text → MiniLM → the model's text branch → common space → test images.
        var hits = Classes.ToDictionary(c => c, c => TopImageClasses(index, modelDir, c, 4));
        // Every class name finds its own images among the first three (all six by chance: under 1 %), nearly always first.
        var shown = string.Join(" | ", hits.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
        Assert.True(hits.All(h => h.Value.Take(3).Contains(h.Key)) && hits.Count(h => h.Value[0] == h.Key) >= 5, $"{method}: {shown}");

        // A text file goes the same way as free text.
        var query = Path.Combine(dir, "query.txt");
        File.WriteAllText(query, "guitar");
        var byFile = Run("search", "--index", index, "--model", modelDir, "--file", query, "--medium", "image", "--k", "1", "--json");
        Assert.True(byFile.Code == 0, byFile.Err);
        Assert.Equal("guitar", JsonDocument.Parse(byFile.Out).RootElement[0].GetProperty("class").GetString());
        var png = Path.Combine(dir, "query.png");
        File.WriteAllBytes(png, HashingTestModel.TinyPng());
        // The image features here came from no encoder, so an image file cannot be searched: one clear line.
        var byImage = Run("search", "--index", index, "--model", modelDir, "--file", png);
        Assert.Equal(2, byImage.Code);
        Assert.Contains("a model that reads image files", byImage.Err);
        Assert.Single(byImage.Err.Trim().Split('\n'));

        // The web page's text box: POST /search with text.
        using var model2 = ModelStore.Load(modelDir);
        using var opened = EmbeddingIndex.Open(index);
        await using var app = SearchApp.Build(opened, new QueryEncoder(model2, opened.Dimension), new ServiceOptions(Urls: "http://127.0.0.1:0"));
        var url = (await SearchApp.StartAsync(app))[0];
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        var response = await client.PostAsJsonAsync("/search", new { text = "bird", k = 1, medium = new[] { "image" } });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Equal("bird", JsonDocument.Parse(body).RootElement.GetProperty("results")[0].GetProperty("class").GetString());
        await app.StopAsync();
    }

    [Fact]
    public void SearchText_Should_ExplainTheMissingEncoder_ForAModelWithoutOne()
    {
        var manifest = WriteManifest(textEncoder: false);
        var index = TrainAndIndex(manifest, "cca");
        var (code, _, err) = Run("search", "--index", index, "--model", Path.Combine(dir, "cca"), "--text", "apple");
        Assert.Equal(2, code);
        Assert.Contains("a model with a text encoder", err);
        Assert.Contains("text feature vectors (384-d vector, from 'text')", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("cca")]
    [InlineData("jfse", "--epochs", "2", "--hidden", "16", "--noise-dim", "4", "--eval-every", "1", "--checkpoint-every", "0")]
    public void ModelsSavedBeforeEncoders_Should_StillLoad_WithoutEncoders(string method, params string[] options)
    {
        var manifest = WriteManifest();
        var modelDir = Path.Combine(dir, method);
        var train = Run(["train", "--method", method, "--dataset", manifest, "--out", modelDir, "--threads", "1", .. options]);
        Assert.Equal(0, train.Code);
        // The manifest has no class embeddings: JFSE says what it conditions on instead, and how to do better.
        Assert.Equal(method == "jfse", train.Out.Contains("jfse: the dataset has no class embeddings", StringComparison.Ordinal));
        if (method == "jfse")
            Assert.Contains("a class encoder such as minilm", JsonNode.Parse(File.ReadAllText(Path.Combine(modelDir, "metrics.json")))!["notes"]!["jfse_warnings"]![0]!.GetValue<string>());

        // model.json as written before encoders were recorded.
        var path = Path.Combine(modelDir, ModelStore.ManifestFile);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.True(method == "cca" ? json["media"]![1]!["encoder"]!.GetValue<string>() == "minilm" : json["encoders"]![1]!.GetValue<string>() == "minilm");
        if (method == "cca") foreach (var m in json["media"]!.AsArray()) m!.AsObject().Remove("encoder");
        else json.Remove("encoders");
        File.WriteAllText(path, json.ToJsonString());
        FileChecksums.Write(modelDir);

        using var model = ModelStore.Load(modelDir);
        Assert.All(model.Media, s => Assert.Null(s.Encoder));
        var e = Assert.Throws<InputException>(() => new QueryEncoder(model, model.EmbeddingDimension).EncodeText("apple"));
        Assert.Contains("a model with a text encoder", e.Message);
    }
}
