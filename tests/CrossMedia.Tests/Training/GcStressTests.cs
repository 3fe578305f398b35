using System.Diagnostics;

namespace CrossMedia.Tests.Training;

/// <summary>
/// Training steps while the garbage collector runs without pause (<see cref="GcStressProbe"/>), in a
/// child process so that a native abort fails this test with its message instead of killing the test
/// host. Before the Scalars were held (TorchScalars) the probe aborted within seconds
/// ("toFloat at c10/core/Scalar.h:140" from add / leaky_relu / Adam).
/// </summary>
public class GcStressTests
{
    [Fact]
    public async Task TrainingSteps_Should_SurviveContinuousGarbageCollection()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        psi.ArgumentList.Add("gc-stress");
        psi.ArgumentList.Add("20");
        psi.Environment["DOTNET_GCgen0size"] = "0x100000"; // 1 MiB: collections between any two allocations
        using var probe = Process.Start(psi)!;
        var stdout = probe.StandardOutput.ReadToEndAsync();
        var stderr = probe.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try { await probe.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException) { probe.Kill(entireProcessTree: true); await probe.WaitForExitAsync(); }
        var (output, error) = (await stdout, await stderr);
        var first = error.Split('\n').FirstOrDefault(l => l.Contains("Exception") || l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? "";
        Assert.True(probe.ExitCode == 0 && output.StartsWith("ok ", StringComparison.Ordinal),
            $"the GC stress probe failed (exit {probe.ExitCode}): {first}\n{error[^Math.Min(error.Length, 2000)..]}");
    }
}
