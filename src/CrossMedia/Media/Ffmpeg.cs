using System.Diagnostics;

namespace CrossMedia.Media;

/// <summary>
/// Runs the ffmpeg / ffprobe command-line tools (Debian package `ffmpeg`) as processes with an
/// argument list (no shell), reading stdout as bytes while stderr is drained concurrently so
/// neither pipe can fill up and stall the child.
/// </summary>
internal static class Ffmpeg
{
    /// <summary>Longest a single ffmpeg call may take by default before it is killed.</summary>
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private static readonly Lazy<string> VideoEncoderLazy = new(DetectVideoEncoder);

    /// <summary>libx264 when this ffmpeg has it, else the built-in MPEG-4 part 2 encoder.</summary>
    public static string VideoEncoder => VideoEncoderLazy.Value;

    /// <param name="Capped">Standard output went past the cap: the tool was killed and <see cref="Stdout"/> holds the cap's worth.</param>
    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr, bool Capped = false);

    /// <summary>
    /// Runs a tool; <paramref name="stdin"/> (if given) is written to its standard input. The tool is
    /// killed when it runs past <paramref name="timeout"/> (a <see cref="MediaLimitException"/> naming
    /// <paramref name="source"/>) or writes more than <paramref name="maxOutputBytes"/> (<see cref="Result.Capped"/>).
    /// </summary>
    public static Result Run(string tool, IEnumerable<string> args, byte[]? stdin = null, TimeSpan? timeout = null,
        long maxOutputBytes = long.MaxValue, string? source = null)
    {
        var limit = timeout ?? DefaultTimeout;
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
            var outTask = ReadCappedAsync(process, stdout, maxOutputBytes);
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
            if (!process.WaitForExit(limit))
            {
                Kill(process);
                throw new MediaLimitException(source ?? tool, "", $"decoding within {MediaLimits.Format(limit.TotalSeconds)} seconds", "a longer run (stopped)");
            }
            Task.WaitAll(outTask, errTask);
            return new Result(process.ExitCode, stdout.ToArray(), errTask.Result, outTask.Result);
        }
    }

    /// <summary>Copies the tool's stdout up to <paramref name="cap"/> bytes; past it, kills the tool and returns true.</summary>
    private static async Task<bool> ReadCappedAsync(Process process, MemoryStream into, long cap)
    {
        var buffer = new byte[81920];
        var from = process.StandardOutput.BaseStream;
        int n;
        while ((n = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            if (into.Length + n > cap)
            {
                into.Write(buffer, 0, (int)(cap - into.Length));
                Kill(process);
                return true;
            }
            into.Write(buffer, 0, n);
        }
        return false;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>What ffprobe reads from a stream's header (no decoding); null where the header does not say.</summary>
    public sealed record StreamHeader(int Width, int Height, double? Seconds, long? Frames, double? SampleRate = null, int Channels = 0);

    /// <summary>
    /// The header of the file's first video (<paramref name="stream"/> "v:0") or audio ("a:0") stream,
    /// read by ffprobe without decoding; an <see cref="InputException"/> naming <paramref name="path"/>
    /// when ffprobe cannot read it or the stream is missing.
    /// </summary>
    public static StreamHeader Probe(string path, string stream, string expected, TimeSpan timeout) =>
        Probe(FfmpegInput.File(path), stream, expected, timeout);

    /// <summary>The header of a file's or in-memory media's first video or audio stream (see the path overload).</summary>
    public static StreamHeader Probe(FfmpegInput input, string stream, string expected, TimeSpan timeout)
    {
        var path = input.Source;
        var r = Run("ffprobe", ["-v", "error", "-select_streams", stream, "-show_entries",
            "stream=width,height,duration,nb_frames,avg_frame_rate,sample_rate,channels:format=duration", "-of", "json", input.Argument], input.Stdin, timeout: timeout,
            maxOutputBytes: 1 << 20, source: path);
        if (r.ExitCode != 0 || r.Capped) throw new InputException(path, "", expected, r.Capped ? "an unreadable header" : LastLine(r.Stderr));
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(r.Stdout);
            var streams = json.RootElement.TryGetProperty("streams", out var ss) ? ss : default;
            if (streams.ValueKind != System.Text.Json.JsonValueKind.Array || streams.GetArrayLength() == 0)
                throw new InputException(path, "", expected, stream.StartsWith('v') ? "no video stream" : "no audio stream");
            var s = streams[0];
            int Int(string name) => s.TryGetProperty(name, out var v) && v.TryGetInt32(out var i) ? i : 0;
            double? Number(System.Text.Json.JsonElement e, string name) =>
                e.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String
                && double.TryParse(v.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && d >= 0 ? d : null;
            var seconds = Number(s, "duration")
                ?? (json.RootElement.TryGetProperty("format", out var f) ? Number(f, "duration") : null);
            long? frames = Number(s, "nb_frames") is { } n ? (long)n : null;
            if (frames is null && seconds is { } sec && s.TryGetProperty("avg_frame_rate", out var rate)
                && rate.GetString()?.Split('/') is [var num, var den]
                && double.TryParse(num, System.Globalization.CultureInfo.InvariantCulture, out var a)
                && double.TryParse(den, System.Globalization.CultureInfo.InvariantCulture, out var b) && b > 0)
                frames = (long)Math.Ceiling(sec * a / b);
            return new StreamHeader(Int("width"), Int("height"), seconds, frames, Number(s, "sample_rate"), Int("channels"));
        }
        catch (System.Text.Json.JsonException)
        {
            throw new InputException(path, "", expected, "an unreadable header");
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

/// <summary>
/// What an ffmpeg tool reads: a file (its path is the argument) or media held in memory, piped to
/// standard input (<c>pipe:0</c>) so nothing is written to disk. <see cref="Source"/> names it in errors.
/// </summary>
internal sealed record FfmpegInput(string Argument, byte[]? Stdin, string Source)
{
    public static FfmpegInput File(string path) => new(path, null, path);

    public static FfmpegInput Bytes(byte[] bytes, string source) => new("pipe:0", bytes, source);

    /// <summary>Throws when a file input is missing or either input is empty.</summary>
    public void CheckNotEmpty(string expected)
    {
        if (Stdin is null)
        {
            if (!System.IO.File.Exists(Argument)) throw new FileNotFoundException($"{Argument}: not found", Argument);
            if (new FileInfo(Argument).Length == 0) throw new InputException(Source, "", expected, "an empty file");
        }
        else if (Stdin.Length == 0) throw new InputException(Source, "", expected, "an empty file"); // bytes are a file to whoever sent them
    }
}
