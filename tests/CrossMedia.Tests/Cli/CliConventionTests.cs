using System.CommandLine;
using System.Globalization;
using CrossMedia.Cli;
using CrossMedia.Data;

namespace CrossMedia.Tests.Cli;

/// <summary>
/// One vocabulary across the command line (issue 12, items 6 and 7): one default per shared option, the README's
/// tables compared with the definitions, options for every command's subject, comma lists, typo suggestions.
/// </summary>
public class CliConventionTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(TestPaths.Fixtures, "..", "..", "..", "README.md"));

    /// <summary>Every command of the tree by its path ("index build"), the root excluded.</summary>
    private static Dictionary<string, Command> Commands()
    {
        var all = new Dictionary<string, Command>();
        void Walk(Command c, string path)
        {
            foreach (var sub in c.Subcommands)
            {
                var p = path.Length == 0 ? sub.Name : $"{path} {sub.Name}";
                all[p] = sub;
                Walk(sub, p);
            }
        }
        Walk(CliRunner.CreateRoot(), "");
        return all;
    }

    /// <summary>The default as the README writes it: the value, "off" for a flag, "—" for none.</summary>
    private static string DefaultText(Option o) =>
        o.HasDefaultValue ? o.GetDefaultValue() switch
        {
            bool b => b ? "on" : "off",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var v => v?.ToString() ?? "—",
        }
        : o.ValueType == typeof(bool) ? "off" : "—";

    /// <summary>The rows of the README table whose header starts with <paramref name="header"/>, as cells without backquotes.</summary>
    private static List<string[]> Table(string header)
    {
        var lines = Readme.Split('\n');
        int start = Array.FindIndex(lines, l => l.StartsWith(header, StringComparison.Ordinal));
        Assert.True(start >= 0, $"README has no table '{header}'");
        return lines.Skip(start + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim().Replace("`", "")).ToArray()).ToList();
    }

    [Fact]
    public void SharedOptionsTable_Should_MatchEveryCommandsDefinition()
    {
        var commands = Commands();
        var rows = Table("| option | commands | default | meaning |");
        var covered = new HashSet<(string Command, string Option)>();
        foreach (var row in rows)
        {
            var (option, defaultText) = (row[0], row[2].Split(' ')[0]);
            foreach (var path in row[1].Split(',', StringSplitOptions.TrimEntries))
            {
                Assert.True(commands.TryGetValue(path, out var command), $"README shared options: no command '{path}'");
                var o = command!.Options.FirstOrDefault(x => x.Name == option);
                Assert.True(o is not null, $"README shared options: '{path}' has no {option}");
                Assert.True(DefaultText(o!) == defaultText, $"{path} {option}: the code's default is {DefaultText(o!)}, the README says {defaultText}");
                Assert.True(covered.Add((path, option)), $"README shared options: {path} {option} twice");
            }
        }
        // Every command that has one of these options is in the table (a new command cannot drift unnoticed).
        var names = rows.Select(r => r[0]).ToHashSet();
        var missing = commands.SelectMany(c => c.Value.Options.Where(o => names.Contains(o.Name)).Select(o => (c.Key, o.Name)))
            .Where(x => !covered.Contains(x)).ToArray();
        Assert.True(missing.Length == 0, "README shared options lacks: " + string.Join(", ", missing.Select(m => $"{m.Key} {m.Name}")));
    }

    [Fact]
    public void Seed_Should_DefaultToOneInEveryCommand()
    {
        // index build and data inspect defaulted to 0 while train and embed used 1: an index of synthetic-media
        // silently covered other files than the model had seen.
        var seeds = Commands().SelectMany(c => c.Value.Options.Where(o => o.Name == "--seed").Select(o => (c.Key, Default: o.GetDefaultValue()))).ToArray();
        Assert.Contains(seeds, s => s.Key == "index build");
        Assert.Contains(seeds, s => s.Key == "data inspect");
        Assert.All(seeds, s => Assert.True(Equals(s.Default, SharedOptions.DefaultSeed), $"{s.Key} --seed defaults to {s.Default}"));
    }

    [Fact]
    public void BuiltInDatasetParameters_Should_BeListedInTheReadmeAndInTheHelp()
    {
        var readme = Table("| dataset | parameter | default | meaning |").Select(r => (r[0], r[1], r[2])).ToHashSet();
        var code = DatasetCatalog.Describe().SelectMany(d => d.Parameters.Select(p => (d.Name, p.Key, p.Default))).ToHashSet();
        Assert.True(code.SetEquals(readme), $"README only: {string.Join("; ", readme.Except(code))}. Code only: {string.Join("; ", code.Except(readme))}");
        Assert.Contains(code, p => p == ("synthetic-media", "train", "8"));

        foreach (var command in new[] { "train", "embed", "features", "data inspect", "index build", "media decode" })
        {
            var (exit, help, _) = CliHarness.Run([.. command.Split(' '), "--help"]);
            Assert.Equal(0, exit);
            var flat = string.Join(" ", help.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
            foreach (var (name, parameters) in DatasetCatalog.Describe().Select(d => (d.Name, d.Parameters)))
                Assert.True(parameters.All(p => flat.Contains($"{p.Key}={p.Default}")) && flat.Contains(name), $"{command} --help lacks {name}'s parameters");
        }
    }

    [Fact]
    public void EveryCommand_Should_TakeItsSubjectAsAnOption()
    {
        // `index info --index X` but `data inspect X`: one convention, options.
        var withArguments = Commands().Where(c => c.Value.Arguments.Count > 0).Select(c => c.Key).ToArray();
        Assert.Empty(withArguments);
    }

    [Theory]
    [InlineData(new[] { "trian" }, "'trian': did you mean 'train'?")]
    [InlineData(new[] { "serv" }, "'serv': did you mean 'serve'?")]
    [InlineData(new[] { "index", "bild" }, "'bild': did you mean 'build'?")]
    [InlineData(new[] { "train", "--method", "jfse", "--dataset", "synthetic", "--out", "x", "--epoch", "3" }, "'--epoch': did you mean '--epochs'?")]
    [InlineData(new[] { "search", "--index", "x", "--text", "a", "--jsn" }, "'--jsn': did you mean '--json'?")]
    [InlineData(new[] { "data", "inspect", "wikipedia" }, "'wikipedia': did you mean '--dataset wikipedia'?")]
    public void Typo_Should_GetASuggestion_AndExitCode2(string[] args, string suggestion)
    {
        var (code, output, error) = CliHarness.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(suggestion, error.Split('\n').Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public void Typo_Should_GetNoSuggestion_WhenNothingIsClose()
    {
        var (code, _, error) = CliHarness.Run("frobnicate");
        Assert.Equal(2, code);
        Assert.DoesNotContain("did you mean", error);
    }

    [Fact]
    public void CommaList_Should_SplitAtCommas_AndAcceptTheOptionRepeated()
    {
        var list = SharedOptions.CommaList("--medium", "");
        var command = new Command("x") { list };
        Assert.Equal(["image", "audio", "text"], command.Parse(["--medium", "image, audio", "--medium", "text"]).GetValue(list)!);
    }
}
