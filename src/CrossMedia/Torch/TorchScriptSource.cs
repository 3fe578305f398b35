using System.IO.Compression;
using System.Text;
using TorchSharp;

namespace CrossMedia.Torch;

/// <summary>
/// Turns TorchScript source into a loaded script module. TorchSharp's <c>torch.jit.compile</c> resolves only
/// <c>torch.*</c> (aten) names; operators of other libtorch namespaces (<c>ops.mkldnn.*</c>, the fused oneDNN
/// convolutions) are reachable from the code of a saved module. So the source is written into the smallest
/// archive <c>torch.jit.save</c> would write for a module without tensors — <c>code/__torch__.py</c> with the
/// class, <c>data.pkl</c> (the module object, state <c>{"training": False}</c>), <c>constants.pkl</c> (an
/// empty tuple), <c>version</c> — and loaded from memory.
/// </summary>
internal static class TorchScriptSource
{
    /// <summary>The module's class name in the archive (<c>__torch__.Module</c>).</summary>
    public const string ClassName = "Module";

    /// <summary>Loads a module of class <see cref="ClassName"/> whose methods are <paramref name="methods"/> (indented by two spaces, first parameter <c>self: __torch__.Module</c>).</summary>
    public static torch.jit.ScriptModule Load(string methods) => torch.jit.load(Archive(methods));

    /// <summary>
    /// Calls a method of a loaded module with tensors and tensor lists only, and returns its tensor. TorchSharp's
    /// <c>invoke</c> would turn numbers into Scalars that nothing holds (the TorchScalars rule); generated code
    /// carries its numbers in the source instead, so a number here is a programming error.
    /// </summary>
    public static torch.Tensor Invoke(torch.jit.ScriptModule module, string method, params object[] tensors)
    {
        foreach (var a in tensors)
            if (a is not (torch.Tensor or torch.Tensor[]))
                throw new ArgumentException($"TorchScript calls take tensors and tensor arrays only, not {a?.GetType().Name ?? "null"}", nameof(tensors));
        return (torch.Tensor)module.invoke(method, tensors);
    }

    /// <summary><see cref="Invoke"/> for a method from a tensor list to a tensor list.</summary>
    public static torch.Tensor[] InvokeTensors(torch.jit.ScriptModule module, string method, torch.Tensor[] tensors)
    {
        var result = module.invoke(method, [tensors]);
        return result switch
        {
            torch.Tensor[] array => array,
            IEnumerable<torch.Tensor> list => list.ToArray(),
            _ => throw new InvalidOperationException($"TorchScript method {method} returned {result?.GetType().Name ?? "null"}, not a tensor list"),
        };
    }

    internal static byte[] Archive(string methods)
    {
        var code = $"class {ClassName}(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n{methods.TrimEnd()}\n";
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "code/__torch__.py", Encoding.UTF8.GetBytes(code));
            Add(zip, "data.pkl", ModulePickle());
            Add(zip, "constants.pkl", [0x80, 0x02, (byte)')', (byte)'.']); // protocol 2, empty tuple, stop
            Add(zip, "version", "3\n"u8.ToArray());
        }
        return stream.ToArray();
    }

    private static void Add(ZipArchive zip, string name, byte[] content)
    {
        using var entry = zip.CreateEntry("archive/" + name, CompressionLevel.NoCompression).Open();
        entry.Write(content);
    }

    /// <summary>Pickle protocol 2: GLOBAL __torch__.Module, NEWOBJ(), BUILD with {"training": False}.</summary>
    private static byte[] ModulePickle()
    {
        var p = new List<byte> { 0x80, 0x02 };
        p.AddRange(Encoding.ASCII.GetBytes($"c__torch__\n{ClassName}\n"));
        p.AddRange([(byte)')', 0x81, (byte)'}', (byte)'(']); // EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, MARK
        var key = "training"u8.ToArray();
        p.Add((byte)'X'); // BINUNICODE: length (little-endian int32) and UTF-8 bytes
        p.AddRange(BitConverter.GetBytes(key.Length));
        p.AddRange(key);
        p.AddRange([0x89, (byte)'u', (byte)'b', (byte)'.']); // NEWFALSE, SETITEMS, BUILD, STOP
        return [.. p];
    }
}
