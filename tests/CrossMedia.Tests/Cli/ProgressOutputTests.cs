using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using CrossMedia.Cli;
using CrossMedia.Cli.Commands;
using CrossMedia.Core;
using CrossMedia.Tests.Index;
using Spectre.Console;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Cli;

/// <summary>
/// Issue 12, item 4: progress output that can be read in a log. Piped, a training run prints one kept line per
/// epoch with every loss, never wrapped; index build and other long phases print progress lines.
/// </summary>
public sealed class ProgressOutputTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cm-progress-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Train_Should_PrintOneUnwrappedLinePerEpochWithItsLosses_WhenPiped()
    {
        var run = Path.Combine(dir, "run");
        var (code, stdout, err) = CliProcess.Run([
            "train", "--method", "jfse", "--dataset", "synthetic:classes=6,train=24,test=10", "--seed", "5",
            "--epochs", "3", "--hidden", "16", "--batch-size", "16", "--critic-steps", "1", "--eval-every", "2",
            "--checkpoint-every", "0", "--threads", "1", "--out", run], output);
        Assert.True(code == 0, err);

        var history = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "history.json"))).RootElement.EnumerateArray().ToArray();
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var epochLines = lines.Where(l => l.StartsWith("epoch ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["epoch 1/3", "epoch 2/3", "epoch 3/3"], epochLines.Select(l => l.Split(" | ")[0]));
        for (int e = 0; e < 3; e++)
        {
            // Every loss of the epoch with its value, the time and the ETA, all on the line (no wrap splits a token off).
            foreach (var loss in history[e].GetProperty("losses").EnumerateObject())
                Assert.Contains($"{loss.Name} {loss.Value.GetDouble().ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}", epochLines[e]);
            Assert.Matches(@" \| \d+\.\d s \| eta (\d+:\d\d(:\d\d)?|\?)$", epochLines[e]);
        }
        Assert.Contains("val mAP", epochLines[1]); // evaluated every second epoch
        Assert.DoesNotContain("val mAP", epochLines[0]);
        Assert.True(epochLines.Max(l => l.Length) > 80, "the test wants lines longer than a narrow console");
        Assert.DoesNotContain(lines, l => Regex.IsMatch(l, @"^\s*(eta|\d+:\d\d)\b")); // no continuation line of a wrap
    }

    [Fact]
    public void IndexBuild_Should_PrintAProgressLinePerMedium()
    {
        var model = new HashingTestModel();
        var modelDir = Path.Combine(dir, "model");
        model.Save(modelDir);
        var media = HashingTestModel.MakeMediaFolder(Directory.CreateDirectory(Path.Combine(dir, "media")).FullName);

        var (code, stdout, err) = CliHarness.RunWith(new Command("crossmedia") { IndexCommand.Create(_ => model) },
            "index", "build", "--model", modelDir, "--folder", media, "--out", Path.Combine(dir, "media.cmidx"));

        Assert.True(code == 0, err);
        var lines = stdout.Split('\n');
        foreach (var (medium, n) in new[] { ("audio", 2), ("image", 2), ("text", 3), ("video", 1) })
            Assert.Contains(lines, l => Regex.IsMatch(l, $@"^embed {medium}: {n} items in \d+:\d\d \(\d+\.\d (items/s|s/item)\)$"));
    }

    [Fact]
    public void PlainProgress_Should_PrintEachTenthOnceAndTheEnd_WithoutWrapping()
    {
        var writer = new StringWriter();
        var progress = new ConsoleProgress(CliConsole.For(writer));
        var phase = "decode " + new string('x', 200); // longer than any console width
        for (int done = 0; done <= 40; done++) progress.Report(new WorkProgress(phase, done, 40, "files"));
        progress.Report(new WorkProgress(phase, 40, 40, "files")); // a repeated end says nothing new
        progress.Line("a kept line " + new string('y', 300));

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(9, lines.Count(l => l.StartsWith(phase + ": ", StringComparison.Ordinal) && l.Contains("/40 files (")));
        Assert.Single(lines, l => Regex.IsMatch(l, $@"^{phase}: 40 files in \d+:\d\d \("));
        Assert.Contains(lines, l => Regex.IsMatch(l, $@"^{phase}: 4/40 files \(10%\), .* elapsed \d+:\d\d, eta (\d+:\d\d|\?)$"));
        Assert.Equal("a kept line " + new string('y', 300), lines[^1]);
        Assert.Equal(11, lines.Length);
    }
}
