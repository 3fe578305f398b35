using System.Net;
using System.Net.Sockets;
using CrossMedia.Core;
using CrossMedia.Index;
using CrossMedia.Tests.Cli;
using Xunit.Abstractions;

namespace CrossMedia.Tests.Service;

/// <summary>`crossmedia serve` as a child process: where it really listens, and what a busy port gives.</summary>
public sealed class ServeProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cm-serve-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string EmptyIndex()
    {
        var path = Path.Combine(dir, "empty.cmidx");
        using var index = EmbeddingIndex.Create(new IndexHeader("", "", 4, Metric.Cosine, ["x"], []));
        index.Save(path);
        return path;
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    [Fact]
    public void Serve_Should_ReportABusyPort_InOneLine()
    {
        var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        try
        {
            int port = ((IPEndPoint)busy.LocalEndpoint).Port;
            var (code, stdout, stderr) = CliProcess.Run(["serve", "--index", EmptyIndex(), "--urls", $"http://127.0.0.1:{port}"], output);
            output.WriteLine(stderr);
            Assert.Equal(2, code);
            Assert.Equal($"error: --urls: expected a free port, found port {port} on 127.0.0.1 already in use by another process", stderr.Trim());
            Assert.DoesNotContain(" at ", stdout);
        }
        finally
        {
            busy.Stop();
        }
    }

    [Fact]
    public void Serve_Should_RefuseANonLoopbackKestrelEndpoint_FromTheEnvironment()
    {
        int port = FreePort();
        var (code, stdout, stderr) = CliProcess.Run(["serve", "--index", EmptyIndex()], output,
            new Dictionary<string, string> { ["Kestrel__Endpoints__E1__Url"] = $"http://0.0.0.0:{port}" });
        output.WriteLine(stderr);
        Assert.Equal(2, code);
        Assert.Contains($"'http://0.0.0.0:{port}'", stderr);
        Assert.Contains("loopback", stderr);
        Assert.DoesNotContain("serving", stdout);
    }

    [Fact]
    public async Task Serve_Should_PrintTheAddressKestrelBound()
    {
        int port = FreePort();
        using var serve = CliProcess.Start(["serve", "--index", EmptyIndex()],
            new Dictionary<string, string> { ["Kestrel__Endpoints__E1__Url"] = $"http://127.0.0.1:{port}" });
        try
        {
            var line = await serve.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            output.WriteLine(line);
            Assert.Equal($"serving 0 items on http://127.0.0.1:{port} (Ctrl+C to stop)", line);
        }
        finally
        {
            serve.Kill();
            await serve.WaitForExitAsync();
        }
    }
}
