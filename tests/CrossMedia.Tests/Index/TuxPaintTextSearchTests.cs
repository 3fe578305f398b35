using System.Text.Json;
using CrossMedia.Tests.Cli;
using CrossMedia.Tests.Data.Builtin;

namespace CrossMedia.Tests.Index;

/// <summary>
/// Issue 10's end-to-end check on real media: TuxPaint stamps at folder depth 2 (pictures and their English
/// descriptions) through `crossmedia features` (ImageNet ResNet-18, MiniLM), JFSE trained on those features, an index
/// of the test pictures, and `search --text CLASSNAME` (MiniLM → JFSE's text branch → common space) must find a
/// picture of that class among the first five. A picture file goes the same way through ResNet-18.
/// </summary>
[Collection(nameof(CrossMedia.Tests.Torch.TorchRuntimeTests))] // JFSE training seeds the global torch generator
public sealed class TuxPaintTextSearchTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("crossmedia-tuxsearch-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    [TuxPaintFact]
    public void SearchText_Should_FindPicturesOfTheClassNamed_ThroughJfseOnEncoderFeatures()
    {
        // 798 pictures and descriptions of 34 classes (~1 min of ResNet-18 on 2 cores).
        var features = Path.Combine(dir, "features");
        var extract = Run("features", "--dataset", "tuxpaint:depth=2,min=8,video=false", "--media", "image,text", "--out", features, "--threads", "2");
        Assert.True(extract.Code == 0, extract.Err);
        var manifest = Path.Combine(features, "manifest.json");
        var model = Path.Combine(dir, "jfse");
        // Class embeddings: MiniLM vectors of the class names (without any, JFSE's one-hot fallback learned next to nothing here).
        var train = Run("train", "--method", "jfse", "--dataset", manifest, "--class-encoder", "minilm", "--out", model, "--threads", "2",
            "--seed", "1", "--hidden", "512", "--lr", "5e-4", "--epochs", "40", "--eval-every", "4", "--checkpoint-every", "0");
        Assert.True(train.Code == 0, train.Err);
        var index = Path.Combine(dir, "jfse.cmidx");
        var build = Run("index", "build", "--model", model, "--dataset", manifest, "--split", "test", "--media", "image", "--out", index);
        Assert.True(build.Code == 0, build.Err);

        string[] Top(params string[] query)
        {
            var search = Run(["search", "--index", index, "--model", model, .. query, "--k", "5", "--json"]);
            Assert.True(search.Code == 0, search.Err);
            return JsonDocument.Parse(search.Out).RootElement.EnumerateArray().Select(h => h.GetProperty("class").GetString()!).ToArray();
        }

        // Class names as a user would type them; each class has 4-9 of the 173 test pictures (34 classes).
        var queries = new Dictionary<string, string>
        {
            ["birds"] = "animals/birds",
            ["fruit"] = "food/fruit",
            ["houses"] = "town/houses",
            ["money"] = "symbols/money",
            ["flowers"] = "plants/flowers",
            ["christmas"] = "seasonal/christmas",
        };
        var hits = queries.ToDictionary(q => q.Key, q => Top("--text", q.Key));
        var shown = string.Join(" | ", hits.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
        Assert.True(queries.All(q => hits[q.Key].Contains(q.Value)) && queries.Count(q => hits[q.Key][0] == q.Value) >= 5, shown);

        // A picture goes through ResNet-18 and JFSE's image branch: a bird stamp finds birds.
        var bird = Path.Combine("/usr/share/tuxpaint/stamps/animals/birds", "blackbird.png");
        Assert.Contains("animals/birds", Top("--file", bird));
    }
}
