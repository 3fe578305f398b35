using System.Diagnostics;
using CrossMedia.Tests.Cli;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Torch;

/// <summary>
/// Where NNPACK cannot initialise, libtorch 2.10 logs "Could not initialize NNPACK! Reason: Unsupported hardware." for
/// every convolution outside oneDNN's range while its NNPACK switch is on (528 lines in the run below before NNPACK was
/// turned off there). This machine's CPU is supported, so the CLI runs as a child process with a preloaded shim whose
/// nnp_initialize answers "unsupported hardware" (libtorch calls it through its PLT, so the shim takes its place); the
/// shim is built with the system C compiler. ResNet-50 on one thread: its 1×1 convolutions at small batches are
/// outside oneDNN's range, so every step asks libtorch's NNPACK check.
/// </summary>
public class NnpackTests(ITestOutputHelper output)
{
    private const string NnpStatusUnsupportedHardware = "51";

    [Fact]
    public void TrainingRun_Should_NeverPrintTheNnpackLine_WhereNnpackIsUnsupported()
    {
        var root = Directory.CreateTempSubdirectory("nnpack").FullName;
        try
        {
            var environment = new Dictionary<string, string> { ["LD_PRELOAD"] = BuildShim(root) };
            var (code, stdout, stderr) = CliProcess.Run(
            [
                "train", "--method", "fgcrossnet", "--dataset", "synthetic-media:classes=3,train=3,val=1,test=1,image=32,video_size=32,frames=4,seconds=0.5",
                "--data-root", Path.Combine(root, "data"), "--decode-cache", Path.Combine(root, "cache"), "--backbone", "resnet50", "--input-size", "32",
                "--frames", "2", "--stage1-epochs", "1", "--stage2-epochs", "1", "--batch-size", "4", "--threads", "1", "--workers", "1",
                "--seed", "3", "--out", Path.Combine(root, "out"),
            ], output, environment);
            output.WriteLine(stderr);
            Assert.True(code == 0, stderr);
            Assert.DoesNotContain("NNPACK", stdout + stderr);

            var info = CliProcess.Run(["info"], output, environment);
            Assert.Contains("NNPACK off (not supported by this CPU)", info.Out);
            Assert.DoesNotContain("Could not initialize NNPACK", info.Out + info.Err);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    /// <summary>A shared library whose only symbol is NNPACK's nnp_initialize, answering nnp_status_unsupported_hardware.</summary>
    private static string BuildShim(string folder)
    {
        var source = Path.Combine(folder, "shim.c");
        var library = Path.Combine(folder, "libnnpack-unsupported.so");
        File.WriteAllText(source, $"int nnp_initialize(void) {{ return {NnpStatusUnsupportedHardware}; }}\n");
        var psi = new ProcessStartInfo("cc") { RedirectStandardError = true };
        foreach (var a in new[] { "-shared", "-fPIC", "-o", library, source }) psi.ArgumentList.Add(a);
        using var cc = Process.Start(psi)!;
        var errors = cc.StandardError.ReadToEnd();
        cc.WaitForExit();
        Assert.True(cc.ExitCode == 0 && File.Exists(library), $"the C compiler (cc) could not build the shim: {errors}");
        return library;
    }
}
