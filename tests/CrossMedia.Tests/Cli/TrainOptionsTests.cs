namespace CrossMedia.Tests.Cli;

/// <summary>`train`'s options per method: grouped in --help, another method's option refused, and --out never silently overwritten.</summary>
public sealed class TrainOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("train-options").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static (int Code, string Out, string Err) Cca(string outDir, params string[] more) =>
        CliHarness.Run(["train", "--method", "cca", "--dataset", "synthetic:classes=4,train=10,test=4", "--out", outDir, .. more]);

    [Theory]
    [InlineData("cca", "--epochs", "3", "--method jfse")]
    [InlineData("jfse", "--backbone", "resnet18", "--method fgcrossnet")]
    [InlineData("cca", "--lr", "0.1", "--method jfse or fgcrossnet")]
    [InlineData("fgcrossnet", "--cca-reg", "1", "--method cca")]
    public void Train_Should_RefuseAnotherMethodsOption_InOneLineNamingItsMethod(string method, string option, string value, string owner)
    {
        var outDir = Path.Combine(_dir, "run");
        var (code, _, err) = CliHarness.Run("train", "--method", method, "--dataset", "synthetic", option, value, "--out", outDir);
        Assert.Equal(2, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: {option}: expected an option of --method {method}, found an option of {owner}", line);
        Assert.False(Directory.Exists(outDir), "a refused run wrote its output folder");
    }

    [Fact]
    public void Train_Should_RefuseANonEmptyOut_UnlessOverwrite_WhichReplacesIt()
    {
        var outDir = Path.Combine(_dir, "run");
        Assert.Equal(0, Cca(outDir).Code);
        File.WriteAllText(Path.Combine(outDir, "stale.txt"), "from before");

        var (code, _, err) = Cca(outDir);
        Assert.Equal(2, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --out: expected a new or empty folder (--overwrite replaces", line);

        var replaced = Cca(outDir, "--overwrite", "--cca-input", "none");
        Assert.True(replaced.Code == 0, replaced.Err);
        Assert.False(File.Exists(Path.Combine(outDir, "stale.txt")));
        Assert.Equal("none", CrossMedia.Evaluation.RunRecord.Load(Path.Combine(outDir, "metrics.json")).Config["cca_search"]!["input"]!.GetValue<string>());

        // A folder no run wrote is never deleted, --overwrite or not.
        var mine = Path.Combine(_dir, "mine");
        Directory.CreateDirectory(mine);
        File.WriteAllText(Path.Combine(mine, "thesis.tex"), "precious");
        var refused = Cca(mine, "--overwrite");
        Assert.Equal(2, refused.Code);
        Assert.Contains("nothing was deleted", refused.Err);
        Assert.True(File.Exists(Path.Combine(mine, "thesis.tex")));
    }

    [Fact]
    public void Train_Should_RefuseOverwrite_WhenResumingInTheSameFolder()
    {
        var outDir = Path.Combine(_dir, "run");
        Directory.CreateDirectory(Path.Combine(outDir, "checkpoints"));
        var (code, _, err) = CliHarness.Run("train", "--method", "jfse", "--dataset", "synthetic", "--out", outDir, "--resume", outDir, "--overwrite");
        Assert.Equal(2, code);
        Assert.Contains("it would delete the checkpoints to resume from", err);
        Assert.True(Directory.Exists(Path.Combine(outDir, "checkpoints")));
    }

    [Fact]
    public void TrainHelp_Should_ListSharedOptionsFirst_ThenASectionPerMethod()
    {
        var (code, help, _) = CliHarness.Run("train", "--help");
        Assert.Equal(0, code);
        int cca = help.IndexOf("Options of --method cca:", StringComparison.Ordinal);
        int jfse = help.IndexOf("Options of --method jfse:", StringComparison.Ordinal);
        int fg = help.IndexOf("Options of --method fgcrossnet:", StringComparison.Ordinal);
        Assert.True(0 < cca && cca < jfse && jfse < fg, help);
        var shared = help[..cca];
        Assert.Contains("--dataset", shared);
        Assert.Contains("--overwrite", shared);
        foreach (var own in new[] { "--cca-reg", "--epochs", "--backbone", "--lr" }) Assert.DoesNotContain(own, shared);
        Assert.Contains("--cca-reg", help[cca..jfse]);
        Assert.Contains("--epochs <epochs>", help[jfse..fg]);
        Assert.Contains("[default: 500]", help[jfse..fg]);
        Assert.Contains("--backbone", help[fg..]);
        // Options two methods share are listed in each of their sections.
        Assert.Contains("--lr", help[jfse..fg]);
        Assert.Contains("--lr", help[fg..]);
        Assert.Contains("--patience", help[fg..]);
    }
}
