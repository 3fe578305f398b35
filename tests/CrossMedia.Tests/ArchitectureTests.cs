using System.Text;
using System.Text.RegularExpressions;

namespace CrossMedia.Tests;

/// <summary>
/// The library's folders depend on each other one way (docs/architecture.md): a file may use the namespaces of
/// its own folder and of the layers below it, never those of a layer above it or of another folder in its layer.
/// Read from the source: <c>using CrossMedia.X</c>, fully qualified <c>CrossMedia.X.</c> names, and the types of
/// an enclosing namespace (CrossMedia.Models.Backbones sees CrossMedia.Models without a using).
/// </summary>
public sealed partial class ArchitectureTests
{
    /// <summary>
    /// The layers, lowest first; a layer's folders do not use each other. A folder not listed belongs to the
    /// longest listed folder it lies in (Data/Formats → Data, Models/Jfse → Models). The files at the library's
    /// root (InputException, the error contract) lie below every layer. docs/architecture.md shows this order.
    /// </summary>
    internal static readonly string[][] Layers =
    [
        ["Core"],
        ["Torch"],
        ["Media"],
        ["Models/Weights"],
        ["Models/Backbones"],
        ["Encoders"],
        ["Data"],
        ["Models"],
        ["Evaluation", "Index"],
        ["Training"],
    ];

    [Fact]
    public void LibraryFolders_Should_DependOnLowerLayersOnly()
    {
        var found = Violations(LibraryFiles()).ToList();
        Assert.True(found.Count == 0, "uses against the layer order (docs/architecture.md):\n" + string.Join("\n", found.Select(v => v.Message)));
    }

    [Fact]
    public void ArchitectureDoc_Should_ShowTheLayerOrder()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.Library, "..", "..", "docs", "architecture.md"));
        Assert.Contains(string.Join(" → ", Layers.Select(l => string.Join(" | ", l))), doc);
    }

    [Fact]
    public void Checker_Should_FindUsingsQualifiedNamesAndEnclosingNamespaces_NotCommentsOrStrings()
    {
        (string, string)[] files =
        [
            ("Core/A.cs", "using CrossMedia.Data;\nnamespace CrossMedia.Core;\nclass A { }"),
            ("Data/B.cs", "namespace CrossMedia.Data;\nclass B { Core.A? a; object c = global::CrossMedia.Index.Searcher.Run(); }"),
            ("Index/Searcher.cs", "namespace CrossMedia.Index;\n// CrossMedia.Training.X\nclass Searcher { string s = \"CrossMedia.Training.X\", t = @\"a\"\"CrossMedia.Training.Y\"; char q = '\"'; }"),
            ("Models/Store.cs", "namespace CrossMedia.Models;\npublic static class ModelStore { }"),
            ("Models/Backbones/R.cs", "namespace CrossMedia.Models.Backbones;\nclass R { void F() => ModelStore.Save(); }"),
            ("Models/Backbones/S.cs", "namespace CrossMedia.Models.Backbones;\nclass S { /* ModelStore */ }"),
            ("Evaluation/E.cs", "using CrossMedia.Index;\nnamespace CrossMedia.Evaluation;\nclass E { }"),
            ("Data/Formats/F.cs", "namespace CrossMedia.Media;\nclass F { }"),
        ];
        Assert.Equal(
        [
            "Core/A.cs uses Data",
            "Data/B.cs uses Index",
            "Data/Formats/F.cs declares CrossMedia.Media",
            "Evaluation/E.cs uses Index",
            "Models/Backbones/R.cs uses Models",
        ], Violations(files).Select(v => v.Key).Order(StringComparer.Ordinal));
    }

    private readonly record struct Violation(string Key, string Message);

    private static IEnumerable<(string Path, string Text)> LibraryFiles()
    {
        var root = TestPaths.Library;
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .Select(f => (f, File.ReadAllText(Path.Combine(root, f))));
    }

    /// <summary>Every use against the order in <paramref name="files"/> (paths relative to src/CrossMedia).</summary>
    private static IEnumerable<Violation> Violations(IEnumerable<(string Path, string Text)> files)
    {
        var sources = files.Select(f => (f.Path, Folder: Folder(f.Path), Code: Code(f.Text))).ToList();
        var namespaces = sources.Select(s => (s.Path, s.Folder, Namespace: NamespaceDecl().Match(s.Code).Groups[1].Value, s.Code)).ToList();
        // The types each namespace declares, for the uses an enclosing namespace makes without a using.
        var declared = namespaces.GroupBy(s => s.Namespace)
            .ToDictionary(g => g.Key, g => g.SelectMany(s => TypeDecl().Matches(s.Code).Select(m => m.Groups[1].Value)).ToHashSet());
        foreach (var (path, folder, ns, code) in namespaces)
        {
            var unit = Unit(folder);
            if (unit is null)
            {
                yield return new($"{folder} has no layer", $"{path}: folder {folder} is in no layer; give it one in {nameof(ArchitectureTests)}.{nameof(Layers)} and docs/architecture.md");
                continue;
            }
            var expected = folder.Length == 0 ? "CrossMedia" : "CrossMedia." + folder.Replace('/', '.');
            if (ns != expected)
            {
                yield return new($"{path} declares {ns}", $"{path}: namespace {ns}, expected {expected} (the namespace follows the folder)");
                continue;
            }
            var used = QualifiedName().Matches(code).Select(m => m.Value.Replace("global::", ""))
                .Select(name => NamespaceFolder(name, declared.Keys)).ToHashSet();
            for (var parent = Parent(ns); parent is not null; parent = Parent(parent))
            {
                var parentFolder = NamespaceFolder(parent, declared.Keys);
                if (Unit(parentFolder) is { } p && !MayUse(unit, p) && declared.TryGetValue(parent, out var types)
                    && types.Any(t => Regex.IsMatch(code, $@"(?<![\w.]){t}\b")))
                    used.Add(parentFolder);
            }
            foreach (var target in used.Select(Unit).OfType<string>().Distinct().Order(StringComparer.Ordinal))
                if (!MayUse(unit, target))
                    yield return new($"{path} uses {target}", $"{path} ({unit}) uses CrossMedia.{target.Replace('/', '.')} ({target}), which is not below it");
        }
    }

    private static bool MayUse(string unit, string target) => target == unit || Rank(target) < Rank(unit);

    /// <summary>The layer index; the library's root files lie below every layer.</summary>
    private static int Rank(string unit) => unit.Length == 0 ? -1 : Array.FindIndex(Layers, l => l.Contains(unit));

    /// <summary>The listed folder <paramref name="folder"/> belongs to; null when none.</summary>
    private static string? Unit(string folder) => folder.Length == 0
        ? ""
        : Layers.SelectMany(l => l).Where(u => folder == u || folder.StartsWith(u + "/", StringComparison.Ordinal))
            .MaxBy(u => u.Length);

    private static string Folder(string path) => Path.GetDirectoryName(path)?.Replace('\\', '/') ?? "";

    /// <summary>The folder of the longest declared namespace that <paramref name="name"/> starts with.</summary>
    private static string NamespaceFolder(string name, IEnumerable<string> namespaces)
    {
        var ns = namespaces.Where(n => name == n || name.StartsWith(n + ".", StringComparison.Ordinal)).MaxBy(n => n.Length) ?? "CrossMedia";
        return ns == "CrossMedia" ? "" : ns["CrossMedia.".Length..].Replace('.', '/');
    }

    private static string? Parent(string ns) => ns.LastIndexOf('.') is > 0 and var dot && ns[..dot] != "CrossMedia" ? ns[..dot] : null;

    /// <summary>The source without comments, string literals and character literals.</summary>
    private static string Code(string source)
    {
        var code = new StringBuilder(source.Length);
        int i = 0;
        char At(int k) => k < source.Length ? source[k] : '\0';
        while (i < source.Length)
        {
            char c = source[i];
            if (c == '/' && At(i + 1) == '/')
            {
                while (i < source.Length && source[i] != '\n') i++;
            }
            else if (c == '/' && At(i + 1) == '*')
            {
                int end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? source.Length : end + 2;
            }
            else if (c == '\'')
            {
                i++;
                while (i < source.Length && source[i] != '\'') i += source[i] == '\\' ? 2 : 1;
                i++;
            }
            else if (c == '"' || (c is '$' or '@' && StringStart(source, i) is > 0))
            {
                int prefix = c == '"' ? 0 : StringStart(source, i);
                bool verbatim = source.AsSpan(i, prefix).Contains('@');
                i += prefix;
                int quotes = 0;
                while (At(i + quotes) == '"') quotes++;
                if (quotes >= 3)
                {
                    int end = source.IndexOf(new string('"', quotes), i + quotes, StringComparison.Ordinal);
                    i = end < 0 ? source.Length : end + quotes;
                }
                else if (quotes == 2)
                {
                    i += 2; // ""
                }
                else
                {
                    i++;
                    while (i < source.Length)
                    {
                        if (verbatim && source[i] == '"' && At(i + 1) == '"') i += 2;
                        else if (!verbatim && source[i] == '\\') i += 2;
                        else if (source[i] == '"') { i++; break; }
                        else i++;
                    }
                }
                code.Append("\"\"");
            }
            else
            {
                code.Append(c);
                i++;
            }
        }
        return code.ToString();
    }

    /// <summary>The length of a string literal's <c>$</c>/<c>@</c> prefix at <paramref name="i"/>; 0 when none starts there.</summary>
    private static int StringStart(string source, int i)
    {
        if (i > 0 && (char.IsLetterOrDigit(source[i - 1]) || source[i - 1] == '_')) return 0;
        int k = i;
        while (k < source.Length && source[k] is '$' or '@') k++;
        return k > i && k < source.Length && source[k] == '"' ? k - i : 0;
    }

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDecl();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record)\s+(?:(?:class|struct)\s+)?([A-Z]\w*)")]
    private static partial Regex TypeDecl();

    [GeneratedRegex(@"(?<![\w.])(?:global::)?CrossMedia(?:\.[A-Z]\w*)+")]
    private static partial Regex QualifiedName();
}
