using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace CrossMedia.Tests.Torch;

/// <summary>
/// Finds, in compiled assemblies, every call that hands libtorch a TorchSharp <c>Scalar</c> (or
/// tensor) that nothing holds: a number converted implicitly (<c>x.pow(2)</c>, <c>t - 1</c>,
/// <c>w * loss</c>), or a call of a TorchSharp member that makes such a temporary itself
/// (<c>a + b</c> and <c>add(Tensor)</c> pass a temporary alpha = 1, <c>leaky_relu(x, 0.2)</c> converts
/// its slope, <c>optim.SGD</c>'s step its learning rate). Those members are not listed by hand: they
/// are found in TorchSharp's own IL (members that convert a number, and members that call them).
/// Works on IL and portable PDBs, so it sees exactly what the compiler emitted, and names file:line.
/// </summary>
public static class TemporaryScalarScan
{
    /// <summary>One finding: where, and what was called.</summary>
    public sealed record Finding(string File, int Line, string Caller, string Callee)
    {
        public override string ToString() => $"{File}:{Line}: {Callee} (in {Caller})";
    }

    private static readonly Dictionary<ushort, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => (ushort)o.Value, o => o.OperandType);

    /// <summary>Number → Scalar/Tensor conversions: the temporaries themselves.</summary>
    private static bool IsConversion(string member) =>
        member.StartsWith("TorchSharp.Scalar::op_Implicit(", StringComparison.Ordinal)
        || member.StartsWith("TorchSharp.torch+Tensor::op_Implicit(", StringComparison.Ordinal)
        || member.StartsWith("TorchSharp.ScalarExtensionMethods::To", StringComparison.Ordinal) && member.Contains("Scalar(", StringComparison.Ordinal);

    /// <summary>TorchSharp members that create a temporary Scalar themselves or through a member that does.</summary>
    public static IReadOnlySet<string> HazardousTorchSharpMembers(string torchSharpPath)
    {
        var calls = new Dictionary<string, HashSet<string>>();
        foreach (var (caller, _, _, callee, _, _) in Calls(torchSharpPath))
        {
            if (!calls.TryGetValue(caller, out var set)) calls[caller] = set = [];
            set.Add(callee);
        }
        // TorchSharp converts a bool to a tensor only to answer a null comparand (eq(null) → false): not a call we make.
        var hazardous = new HashSet<string>(calls.Where(kv => kv.Value.Any(c => IsConversion(c) && !c.EndsWith("(Boolean)", StringComparison.Ordinal))).Select(kv => kv.Key));
        for (bool grew = true; grew;)
        {
            grew = false;
            // An optimiser whose step, or a module whose forward, is hazardous is hazardous to construct.
            var types = hazardous.Where(m => m.Contains("::step(", StringComparison.Ordinal) || m.Contains("::forward(", StringComparison.Ordinal))
                .Select(TypeOf).ToHashSet();
            foreach (var (caller, callees) in calls)
                if (!hazardous.Contains(caller) && (callees.Any(hazardous.Contains) || IsConstructor(caller) && types.Contains(TypeOf(caller))))
                    grew |= hazardous.Add(caller); // callers of hazardous members, to a fixed point (a + b → add(b) → add(b, 1))
        }
        return hazardous;
    }

    /// <summary>Every call in <paramref name="assemblyPath"/> (with its PDB beside it) of a conversion or of a hazardous member.</summary>
    public static IReadOnlyList<Finding> Scan(string assemblyPath, IReadOnlySet<string> hazardous)
    {
        var findings = new List<Finding>();
        var pdbPath = Path.ChangeExtension(assemblyPath, ".pdb");
        using var pdbStream = File.OpenRead(pdbPath);
        using var pdbProvider = MetadataReaderProvider.FromPortablePdbStream(pdbStream);
        var pdb = pdbProvider.GetMetadataReader();
        foreach (var (caller, method, offset, callee, stored, isNew) in Calls(assemblyPath))
        {
            if (!IsConversion(callee) && !hazardous.Contains(callee)) continue;
            // An explicit ToScalar() kept in a variable or field is the pattern (TorchScalars): held until disposed.
            if (stored && callee.StartsWith("TorchSharp.ScalarExtensionMethods::", StringComparison.Ordinal)) continue;
            // TorchScriptSource is the one caller of TorchScript: it loads bytes, and its Invoke refuses any argument but
            // tensors and tensor arrays, so the number conversions inside TorchSharp's invoke (and load) never run.
            if (caller.StartsWith("CrossMedia.Torch.TorchScriptSource::", StringComparison.Ordinal) && callee.StartsWith("TorchSharp.torch+jit", StringComparison.Ordinal)) continue;
            // A subclass's constructor calling its TorchSharp base (call, not newobj): the subclass replaces the hazardous member (see SGD).
            if (IsConstructor(caller) && IsConstructor(callee) && !isNew && !IsConversion(callee)) continue;
            var (file, line) = Locate(pdb, method, offset);
            findings.Add(new Finding(file, line, caller, callee));
        }
        return findings;
    }

    private static string TypeOf(string member) => member[..member.IndexOf("::", StringComparison.Ordinal)];

    private static bool IsConstructor(string member) => member.Contains("::.ctor(", StringComparison.Ordinal);

    private static (string File, int Line) Locate(MetadataReader pdb, MethodDefinitionHandle method, int offset)
    {
        var info = pdb.GetMethodDebugInformation(method);
        SequencePoint? best = null;
        foreach (var sp in info.GetSequencePoints())
            if (!sp.IsHidden && sp.Offset <= offset) best = sp;
        if (best is not { } p) return ("?", 0);
        return (pdb.GetString(pdb.GetDocument(p.Document).Name), p.StartLine);
    }

    /// <summary>(caller, caller handle, IL offset, callee, whether the result is stored at once, whether it is a newobj) for every call, callvirt, newobj and ldftn.</summary>
    private static List<(string Caller, MethodDefinitionHandle Method, int Offset, string Callee, bool Stored, bool IsNew)> Calls(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        var names = new Names(md);
        var result = new List<(string, MethodDefinitionHandle, int, string, bool, bool)>();
        foreach (var handle in md.MethodDefinitions)
        {
            var def = md.GetMethodDefinition(handle);
            if (def.RelativeVirtualAddress == 0) continue;
            var il = pe.GetMethodBody(def.RelativeVirtualAddress).GetILReader();
            string? caller = null;
            while (il.RemainingBytes > 0)
            {
                int offset = il.Offset;
                ushort code = il.ReadByte();
                if (code == 0xFE) code = (ushort)(0xFE00 | il.ReadByte());
                var operand = Operands[code];
                if (operand == OperandType.InlineMethod)
                {
                    var token = MetadataTokens.EntityHandle(il.ReadInt32());
                    caller ??= names.Of(handle);
                    int next = il.RemainingBytes > 0 ? il.ReadByte() : -1;
                    if (next == 0xFE && il.RemainingBytes > 0) next = 0xFE00 | il.ReadByte();
                    il.Offset -= next > 0xFF ? 2 : next >= 0 ? 1 : 0;
                    result.Add((caller, handle, offset, names.Of(token), next is >= 0x0A and <= 0x0D or 0x13 or 0xFE0E or 0x7D or 0x80, code == 0x73));
                    continue;
                }
                int skip = operand switch
                {
                    OperandType.InlineNone => 0,
                    OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                    OperandType.InlineVar => 2,
                    OperandType.InlineI8 or OperandType.InlineR => 8,
                    OperandType.InlineSwitch => 4 * il.ReadInt32(),
                    _ => 4,
                };
                il.Offset += skip; // after the switch: reading its count moved the offset
            }
        }
        return result;
    }

    /// <summary>Names members as "Namespace.Type+Nested::name(parameter types)" in every assembly alike.</summary>
    private sealed class Names(MetadataReader md) : ISignatureTypeProvider<string, object?>
    {
        public string Of(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.MethodDefinition => Of((MethodDefinitionHandle)handle),
            HandleKind.MemberReference => OfReference((MemberReferenceHandle)handle),
            HandleKind.MethodSpecification => Of(md.GetMethodSpecification((MethodSpecificationHandle)handle).Method),
            _ => "?",
        };

        public string Of(MethodDefinitionHandle handle)
        {
            var def = md.GetMethodDefinition(handle);
            var sig = def.DecodeSignature(this, null);
            return $"{TypeName(def.GetDeclaringType())}::{md.GetString(def.Name)}({string.Join(",", sig.ParameterTypes)})";
        }

        private string OfReference(MemberReferenceHandle handle)
        {
            var r = md.GetMemberReference(handle);
            if (r.GetKind() != MemberReferenceKind.Method) return "?";
            var parent = r.Parent.Kind switch
            {
                HandleKind.TypeReference => TypeName((TypeReferenceHandle)r.Parent),
                HandleKind.TypeDefinition => TypeName((TypeDefinitionHandle)r.Parent),
                HandleKind.TypeSpecification => md.GetTypeSpecification((TypeSpecificationHandle)r.Parent).DecodeSignature(this, null),
                _ => "?",
            };
            var generic = parent.IndexOf('<');
            if (generic >= 0) parent = parent[..generic];
            var sig = r.DecodeMethodSignature(this, null);
            return $"{parent}::{md.GetString(r.Name)}({string.Join(",", sig.ParameterTypes)})";
        }

        private string TypeName(TypeDefinitionHandle handle)
        {
            var t = md.GetTypeDefinition(handle);
            var declaring = t.GetDeclaringType();
            if (!declaring.IsNil) return $"{TypeName(declaring)}+{md.GetString(t.Name)}";
            var ns = md.GetString(t.Namespace);
            return ns.Length == 0 ? md.GetString(t.Name) : $"{ns}.{md.GetString(t.Name)}";
        }

        private string TypeName(TypeReferenceHandle handle)
        {
            var t = md.GetTypeReference(handle);
            if (t.ResolutionScope.Kind == HandleKind.TypeReference) return $"{TypeName((TypeReferenceHandle)t.ResolutionScope)}+{md.GetString(t.Name)}";
            var ns = md.GetString(t.Namespace);
            return ns.Length == 0 ? md.GetString(t.Name) : $"{ns}.{md.GetString(t.Name)}";
        }

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => TypeName(handle);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => TypeName(handle);
        public string GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, context);
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPinnedType(string elementType) => elementType;
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => $"{genericType}<{string.Join(",", typeArguments)}>";
        public string GetGenericMethodParameter(object? context, int index) => $"!!{index}";
        public string GetGenericTypeParameter(object? context, int index) => $"!{index}";
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
    }
}
