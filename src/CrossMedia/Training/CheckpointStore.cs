using System.Text.Json;
using System.Text.Json.Nodes;
using CrossMedia.Core;

namespace CrossMedia.Training;

/// <summary>
/// Crash-safe checkpoints in a directory. Each checkpoint is a sub-directory written completely
/// under a temporary name and renamed into place; only then is <c>latest.json</c> (written
/// atomically) pointed at it, and older checkpoints are removed. A process killed at any moment
/// leaves either the previous checkpoint or the new one, never a half-written one in use. Each
/// checkpoint carries its files' checksums (<see cref="FileChecksums"/>), verified by <see cref="Latest"/>:
/// a checkpoint damaged later (truncated, a flipped bit) is refused, never loaded.
/// </summary>
internal sealed class CheckpointStore
{
    public const string PointerFile = "latest.json";
    public string Directory { get; }

    public CheckpointStore(string directory) => Directory = directory;

    /// <summary>Writes checkpoint <paramref name="epoch"/>: <paramref name="write"/> fills the given directory.</summary>
    public string Save(int epoch, Action<string> write)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = $"epoch-{epoch:D6}";
        var final = Path.Combine(Directory, name);
        var temp = Path.Combine(Directory, $"{name}.tmp-{Environment.ProcessId}");
        if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, true);
        System.IO.Directory.CreateDirectory(temp);
        write(temp);
        FileChecksums.Write(temp);
        if (System.IO.Directory.Exists(final)) System.IO.Directory.Delete(final, true);
        System.IO.Directory.Move(temp, final);
        AtomicFile.WriteAllText(Path.Combine(Directory, PointerFile), new JsonObject { ["directory"] = name, ["epoch"] = epoch }.ToJsonString());
        foreach (var old in System.IO.Directory.EnumerateDirectories(Directory, "epoch-*"))
            if (Path.GetFileName(old) != name)
                try { System.IO.Directory.Delete(old, true); } catch (IOException) { /* best effort: stale checkpoints are harmless */ }
        return final;
    }

    /// <summary>
    /// Reads file <paramref name="name"/> of checkpoint <paramref name="directory"/> with <paramref name="read"/>;
    /// a file cut short (possible only in a checkpoint without checksums) is refused naming it.
    /// </summary>
    public static void Read(string directory, string name, Action<string> read)
    {
        var path = Path.Combine(directory, name);
        try
        {
            read(path);
        }
        catch (EndOfStreamException e)
        {
            throw new InputException(path, "", "a complete checkpoint file", "a file that ends early (truncated)", e);
        }
    }

    /// <summary>The directory of the newest complete checkpoint, its files verified, or null when there is none.</summary>
    public string? Latest()
    {
        var pointer = Path.Combine(Directory, PointerFile);
        if (!File.Exists(pointer)) return null;
        try
        {
            var name = JsonNode.Parse(File.ReadAllText(pointer))?["directory"]?.GetValue<string>();
            if (name is null || name.Contains('/') || name.Contains("..")) throw new InputException(pointer, "directory", "a checkpoint name", name ?? "none");
            var dir = Path.Combine(Directory, name);
            if (!System.IO.Directory.Exists(dir)) throw new InputException(pointer, "directory", "an existing checkpoint directory", name);
            FileChecksums.Verify(dir);
            return dir;
        }
        catch (JsonException e)
        {
            throw new InputException(pointer, "", "a checkpoint pointer", e.Message, e);
        }
    }
}
