using System.Diagnostics;

namespace CrossMedia.Media;

/// <summary>
/// Runs the ffmpeg / ffprobe command-line tools (Debian package `ffmpeg`) as processes with an
/// argument list (no shell), reading stdout as bytes while stderr is drained concurrently so
/// neither pipe can fill up and stall the child.
/// </summary>
internal static class Ffmpeg
{
    /// <summary>Longest a single ffmpeg call may take before it is killed.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private static readonly Lazy<string> VideoEncoderLazy = new(DetectVideoEncoder);

    /// <summary>libx264 when this ffmpeg has it, else the built-in MPEG-4 part 2 encoder.</summary>
    public static string VideoEncoder => VideoEncoderLazy.Value;

    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr);

    /// <summary>Runs a tool; <paramref name="stdin"/> (if given) is written to its standard input.</summary>
    public static Result Run(string tool, IEnumerable<string> args, byte[]? stdin = null)
    {
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"{tool} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InputException(tool, "", "the ffmpeg tools on PATH (apt-get install ffmpeg; see scripts/install-deps.sh)", "not installed", e);
        }
        using (process)
        {
            var stdout = new MemoryStream();
            var outTask = process.StandardOutput.BaseStream.CopyToAsync(stdout);
            var errTask = process.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                try
                {
                    process.StandardInput.BaseStream.Write(stdin);
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The tool exited early (bad input); its exit code and stderr say why.
                }
            }
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new InputException(tool, "", $"to finish within {Timeout.TotalMinutes} minutes", "a timeout");
            }
            Task.WaitAll(outTask, errTask);
            return new Result(process.ExitCode, stdout.ToArray(), errTask.Result);
        }
    }

    /// <summary>The last non-empty line of a tool's stderr, for one-line problem reports.</summary>
    public static string LastLine(string stderr)
    {
        var line = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return string.IsNullOrEmpty(line) ? "no message" : line;
    }

    private static string DetectVideoEncoder()
    {
        var r = Run("ffmpeg", ["-hide_banner", "-encoders"]);
        var text = System.Text.Encoding.UTF8.GetString(r.Stdout);
        return text.Contains(" libx264 ", StringComparison.Ordinal) ? "libx264" : "mpeg4";
    }
}
