using CrossMedia.Core;
using CrossMedia.Index;

namespace CrossMedia.Bench.Fuzz;

/// <summary>
/// Index files and their append logs, through the library's public API only (so it keeps working
/// when the on-disk layout changes). Half the cases damage a valid index: one mutation of the
/// index file or of one committed log record, then open, search and append; the other half run a
/// random sequence of adds, removes, compactions, reopenings and a second writer against a model
/// of what was committed, checked after reopening.
/// <para>
/// The rule checked: an open either fails with a clean error or shows every committed item whose
/// bytes were not damaged. Only damage that reaches the <em>last</em> log record (a torn tail: no
/// intact record follows it) or records cut off by truncation may be missing — reported as
/// <see cref="Outcome.Torn"/>, not a failure; a damaged record followed by an intact one must be
/// refused, not skipped.
/// Log records are located format-agnostically, by the file sizes after each commit.
/// </para>
/// </summary>
public sealed class IndexTarget : IFuzzTarget
{
    public string Name => "index";

    private sealed record Item(long Id, string Key, string Medium, int Label);

    /// <summary>A committed change: its record's byte range in the file that grew, and what it did.</summary>
    private sealed record Commit(string File, long Start, long End, Item? Added, long? Removed);

    public CaseResult Run(int index, Random rng, string dir) => rng.Chance(0.5) ? Damage(rng, dir) : Sequence(rng, dir);

    private static IndexHeader NewHeader(Random rng, int dimension) =>
        new("fuzz", "", dimension, rng.Pick(new[] { Metric.Cosine, Metric.InnerProduct, Metric.L2 }),
            ["image", "text"], rng.Chance(0.7) ? ["c0", "c1", "c2", "c3"] : []);

    private static Matrix Vectors(Random rng, int rows, int d)
    {
        var m = new Matrix(rows, d);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        return m;
    }

    private const string LongKey = "long key", LoneSurrogate = "lone surrogate";

    /// <summary>A random item; sometimes a key over 64 KiB or with a lone UTF-16 surrogate (named in <paramref name="ops"/>), or a label out of range.</summary>
    private static NewItem NewItemFor(Random rng, int classes, List<string> ops)
    {
        var key = rng.Word(12);
        if (rng.Chance(0.02)) { key = new string('k', 70_000); ops.Add(LongKey); }
        else if (rng.Chance(0.01)) { key = "\ud800" + key; ops.Add(LoneSurrogate); }
        return new(key, rng.Pick(new[] { "image", "text", "audio", "vector" }),
            rng.Chance(0.05) ? rng.Pick(new[] { -2, classes, int.MaxValue }) : rng.Next(-1, Math.Max(0, classes)));
    }

    // ---- damage -------------------------------------------------------------------------------

    private static CaseResult Damage(Random rng, string dir)
    {
        int d = rng.Pick(new[] { 3, 8, 16 });
        var path = Path.Combine(dir, "fuzz.cmidx");
        var header = NewHeader(rng, d);
        var baseItems = new List<Item>();
        using (var built = EmbeddingIndex.Create(header))
        {
            int n = rng.Next(0, 12);
            var items = Enumerable.Range(0, n).Select(i => new NewItem($"k{i}", i % 2 == 0 ? "image" : "text", header.ClassNames.Count > 0 ? i % 4 : -1)).ToArray();
            foreach (var a in built.Add(items, Vectors(rng, n, d))) baseItems.Add(new Item(a.Id, a.Key, a.Medium, a.Label));
            // Some indexes carry an HNSW graph (read in place at open), so its two files get damaged too.
            if (rng.Chance(0.3)) built.SetAnn(new AnnSettings(Quantization: rng.Pick(AnnSettings.Quantizations.ToArray())));
            built.Save(path);
        }
        var commits = new List<Commit>();
        var sizes = Sizes(dir);
        using (var index = EmbeddingIndex.Open(path))
        {
            int records = rng.Next(0, 8);
            var live = baseItems.Select(i => i.Id).ToList();
            for (int r = 0; r < records; r++)
            {
                Item? added = null;
                long? removed = null;
                if (live.Count > 0 && rng.Chance(0.3))
                {
                    removed = rng.Pick(live);
                    live.Remove(removed.Value);
                    index.Remove([removed.Value]);
                }
                else
                {
                    var a = index.Add([new NewItem($"log{r}", rng.Pick(new[] { "image", "text", "audio" }), -1)], Vectors(rng, 1, d))[0];
                    added = new Item(a.Id, a.Key, a.Medium, a.Label);
                    live.Add(a.Id);
                }
                var now = Sizes(dir);
                var grown = now.FirstOrDefault(f => f.Value > sizes.GetValueOrDefault(f.Key));
                commits.Add(new Commit(grown.Key ?? "", sizes.GetValueOrDefault(grown.Key ?? ""), grown.Value, added, removed));
                sizes = now;
            }
        }
        var all = Expected(baseItems, commits);
        var query = Vectors(rng, 1, d);
        Dictionary<long, float> referenceScores;
        try
        {
            using var reference = EmbeddingIndex.Open(path);
            var seen = Snapshot(reference);
            if (!Same(seen, all)) return new(Outcome.Lost, "undamaged index reopened with different items", Describe(all, seen));
            referenceScores = Scores(reference, query);
        }
        catch (Exception e) { return CaseResult.FromException("undamaged index", e) is var r && r.Outcome == Outcome.Clean ? new(Outcome.Lost, "undamaged index refused: " + r.Class, r.Detail) : r; }

        // One mutation of one file: the log (when there is one) more often than the index file.
        var files = Directory.GetFiles(dir).Where(f => new FileInfo(f).Length > 0).Order(StringComparer.Ordinal).ToArray();
        var logFile = commits.Select(c => c.File).FirstOrDefault(f => f != "");
        var target = logFile is not null && rng.Chance(0.6) ? logFile : rng.Pick(files);
        var bytes = File.ReadAllBytes(target);
        var log = new List<Mutation>();
        var mutated = Mutator.MutateOnce(rng, bytes, [], false, log);
        File.WriteAllBytes(target, mutated);
        var m = log[0];
        IFuzzTarget.Announce($"{(target == path ? "index file" : "log")} {m.Kind.Split('=')[0]}");
        string what = $"{(target == path ? "index file" : target == logFile ? "log" : Path.GetFileName(target))} {m.Kind.Split('=')[0]}";
        string detail = $"{Path.GetFileName(target)} {m} of {bytes.Length} bytes; {baseItems.Count} base items, {commits.Count} log records";

        // Records the mutation may take away: those it touched, and (for truncation) everything after the cut.
        var inFile = commits.Where(c => c.File == target).ToList();
        var (damagedAt, tail) = DamagedRecords(inFile.Select(c => (c.Start, c.End)).ToList(), m);
        var damaged = damagedAt.Select(i => inFile[i]).ToHashSet();

        EmbeddingIndex? opened = null;
        try
        {
            opened = EmbeddingIndex.Open(path);
            var seen = Snapshot(opened);
            var scores = Scores(opened, query);
            opened.Search(query, 1 + rng.Next(seen.Count + 3));
            var allowed = Expected(baseItems, commits.Where(c => !damaged.Contains(c)).ToList());
            bool asAll = Same(seen, all), asAllowed = Same(seen, allowed);
            if (!asAll && !asAllowed)
            {
                var ids = seen.Keys.ToHashSet();
                if (ids.SetEquals(all.Keys) || ids.SetEquals(allowed.Keys))
                    return new(Outcome.Garbage, $"{what}: open succeeded with changed item metadata", $"{detail}; {Describe(all, seen)}");
                // Adds or removals whose records were not damaged are not reflected.
                var notAdded = allowed.Keys.Where(id => !ids.Contains(id)).ToArray();
                var undone = ids.Where(id => !all.ContainsKey(id) && !allowed.ContainsKey(id)).ToArray();
                return new(Outcome.Lost, $"{what}: open succeeded without committed changes",
                    $"{detail}; missing ids {string.Join(",", notAdded.Take(8))}; removals undone {string.Join(",", undone.Take(8))}; {Describe(all, seen)}");
            }
            if (!asAll && !tail)
                return new(Outcome.Garbage, $"{what}: damaged middle record skipped, not refused", $"{detail}; {Describe(all, seen)}");
            foreach (var (id, score) in scores)
                if (referenceScores.TryGetValue(id, out var expected) && !Close(score, expected))
                    return new(Outcome.Garbage, $"{what}: open succeeded with a changed vector", $"{detail}; item {id} score {score} instead of {expected}");

            // Appending after a recovered open must keep every item seen.
            try
            {
                opened.Add([new NewItem("after", "image")], Vectors(rng, 1, d));
            }
            catch (Exception e) when (CaseResult.FromException("", e).Outcome == Outcome.Clean) { }
            var afterAppend = Snapshot(opened);
            opened.Dispose();
            opened = null;
            using var again = EmbeddingIndex.Open(path);
            var final = Snapshot(again);
            var missing = afterAppend.Keys.Where(id => !final.ContainsKey(id)).ToArray();
            if (missing.Length > 0)
                return new(Outcome.Lost, $"{what}: items lost by the first append after the damage", $"{detail}; missing ids {string.Join(",", missing.Take(8))}");
            return Same(seen, all) ? CaseResult.Ok(what)
                : new(Outcome.Torn, $"{what}: {(m.Kind == "truncate" ? "records past the cut" : "damage reaching the last record")} dropped as a torn tail", $"{detail}; {Describe(all, seen)}");
        }
        catch (Exception e)
        {
            var r = CaseResult.FromException(what, e);
            return r with { Detail = $"{detail}; {r.Detail}" };
        }
        finally
        {
            opened?.Dispose();
        }
    }

    /// <summary>
    /// The records (indexes into <paramref name="records"/>, byte ranges in file order) that mutation <paramref name="m"/>
    /// damaged, and whether they are the file's tail: no intact record follows them. By the documented torn-tail rule a
    /// damaged tail cannot be told from an interrupted write, so a reader may drop it; damage with an intact record after
    /// it must be refused. Overwrites and deletions touch [offset, offset + length); insertions the record at the
    /// insertion point; truncation every record past the cut; an append none.
    /// </summary>
    public static (IReadOnlySet<int> Damaged, bool Tail) DamagedRecords(IReadOnlyList<(long Start, long End)> records, Mutation m)
    {
        string kind = m.Kind.Split('=')[0];
        bool cut = kind == "truncate";
        long touchEnd = kind is "insert" or "duplicate" ? m.Offset + 1 : m.Offset + Math.Max(1, m.Length);
        var damaged = Enumerable.Range(0, records.Count)
            .Where(i => kind != "append" && records[i].End > m.Offset && (cut || records[i].Start < touchEnd)).ToHashSet();
        return (damaged, damaged.All(i => i >= records.Count - damaged.Count));
    }

    private static Dictionary<string, long> Sizes(string dir) =>
        Directory.GetFiles(dir).ToDictionary(f => f, f => new FileInfo(f).Length);

    private static Dictionary<long, Item> Expected(List<Item> baseItems, IReadOnlyList<Commit> commits)
    {
        var state = baseItems.ToDictionary(i => i.Id);
        foreach (var c in commits)
        {
            if (c.Added is { } a) state[a.Id] = a;
            if (c.Removed is { } r) state.Remove(r);
        }
        return state;
    }

    private static Dictionary<long, Item> Snapshot(EmbeddingIndex index) =>
        index.Items().ToDictionary(i => i.Id, i => new Item(i.Id, i.Key, i.Medium, i.Label));

    private static bool Same(Dictionary<long, Item> a, Dictionary<long, Item> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && other == kv.Value);

    private static Dictionary<long, float> Scores(EmbeddingIndex index, Matrix query)
    {
        int count = index.Count;
        if (count == 0) return [];
        return index.Search(query, count)[0].ToDictionary(h => h.Item.Id, h => h.Score);
    }

    private static bool Close(float a, float b) => a == b || Math.Abs(a - b) <= 1e-5f * Math.Max(1f, Math.Abs(b));

    private static string Describe(Dictionary<long, Item> expected, Dictionary<long, Item> seen) =>
        $"expected {expected.Count} items, found {seen.Count}";

    // ---- sequences ----------------------------------------------------------------------------

    private static CaseResult Sequence(Random rng, string dir)
    {
        int d = rng.Pick(new[] { 2, 8 });
        var path = Path.Combine(dir, "seq.cmidx");
        var header = NewHeader(rng, d);
        int classes = header.ClassNames.Count;
        var model = new Dictionary<long, Item>();
        var ops = new List<string>();
        using (var built = EmbeddingIndex.Create(header))
        {
            built.Save(path);
        }
        var a = EmbeddingIndex.Open(path);
        try
        {
            int steps = 5 + rng.Next(20);
            for (int s = 0; s < steps; s++)
            {
                string op = rng.Next(20) switch
                {
                    < 9 => "add",
                    < 13 => "remove",
                    < 15 => "compact",
                    < 17 => "reopen",
                    < 19 => "second-writer",
                    _ => rng.Chance(0.25) ? "many-media" : "check",
                };
                ops.Add(op);
                IFuzzTarget.Announce($"sequence {op}");
                string where = $"step {s + 1} ({op}) of [{string.Join(" ", ops)}]";
                try
                {
                    switch (op)
                    {
                        case "add" or "many-media":
                        {
                            var items = op == "add"
                                ? Enumerable.Range(0, 1 + rng.Next(3)).Select(_ => NewItemFor(rng, classes, ops)).ToArray()
                                : Enumerable.Range(0, 1030).Select(i => new NewItem($"m{i}", $"medium{i}")).ToArray();
                            var vectors = Vectors(rng, items.Length, d);
                            if (rng.Chance(0.03)) vectors.Data[0] = float.NaN;
                            if (rng.Chance(0.03)) Array.Clear(vectors.Data);
                            foreach (var added in a.Add(items, vectors))
                            {
                                if (model.ContainsKey(added.Id))
                                    return new(Outcome.Garbage, $"{op}: an id given to a second live item{Cause(ops)}", $"{where}: id {added.Id}");
                                model[added.Id] = new Item(added.Id, added.Key, added.Medium, added.Label);
                            }
                            break;
                        }
                        case "remove":
                        {
                            var ids = Enumerable.Range(0, 1 + rng.Next(2)).Select(_ => model.Count > 0 && rng.Chance(0.8) ? rng.Pick(model.Keys.ToArray()) : rng.NextInt64(-5, 1000)).ToArray();
                            a.Remove(ids);
                            foreach (var id in ids) model.Remove(id);
                            break;
                        }
                        case "compact":
                            a.Save(path);
                            break;
                        case "reopen":
                            a.Dispose();
                            a = EmbeddingIndex.Open(path);
                            break;
                        case "second-writer":
                        {
                            // Another process (the CLI while `serve` runs) changes the same index through its own handle.
                            using var b = EmbeddingIndex.Open(path);
                            if (model.Count > 0 && rng.Chance(0.5))
                            {
                                var id = rng.Pick(model.Keys.ToArray());
                                b.Remove([id]);
                                model.Remove(id);
                            }
                            else
                            {
                                var added = b.Add([NewItemFor(rng, classes, ops)], Vectors(rng, 1, d))[0];
                                if (model.ContainsKey(added.Id)) return new(Outcome.Garbage, $"{op}: an id given to a second live item{Cause(ops)}", $"{where}: id {added.Id}");
                                model[added.Id] = new Item(added.Id, added.Key, added.Medium, added.Label);
                            }
                            break;
                        }
                        default:
                        {
                            using var c = EmbeddingIndex.Open(path);
                            if (Compare(model, Snapshot(c), where + ", read by a second handle", Cause(ops)) is { } bad) return bad;
                            break;
                        }
                    }
                }
                catch (Exception e)
                {
                    var r = CaseResult.FromException(op, e);
                    if (r.Outcome != Outcome.Clean) return r with { Detail = $"{where}: {r.Detail}" };
                    // The index no longer opens although every change was either committed or refused.
                    if (op == "reopen") return new(Outcome.Lost, $"reopen refused after valid operations{Cause(ops)}: {r.Class}", $"{where}: {r.Detail}");
                }
            }
            a.Dispose();
            a = null!;
            try
            {
                using var final = EmbeddingIndex.Open(path);
                return Compare(model, Snapshot(final), $"after [{string.Join(" ", ops)}]", Cause(ops)) ?? CaseResult.Ok("sequence");
            }
            catch (Exception e)
            {
                var r = CaseResult.FromException("final open", e);
                return r.Outcome == Outcome.Clean
                    ? new(Outcome.Lost, $"index unreadable after valid operations{Cause(ops)}: {r.Class}", $"after [{string.Join(" ", ops)}]: {r.Detail}")
                    : r with { Detail = $"after [{string.Join(" ", ops)}]: {r.Detail}" };
            }
        }
        finally
        {
            a?.Dispose();
        }
    }

    /// <summary>The likely cause of a difference, for grouping: the operations known to break the index.</summary>
    private static string Cause(List<string> ops) =>
        ops.Contains("second-writer") ? " (with a second writer)"
        : ops.Contains(LongKey) ? " (after a key over 64 KiB)"
        : ops.Contains("many-media") ? " (after 1030 media)"
        : ops.Contains(LoneSurrogate) ? " (after a key with a lone surrogate)"
        : "";

    /// <summary>Lost when a committed item is missing, garbage when an item is extra or changed.</summary>
    private static CaseResult? Compare(Dictionary<long, Item> model, Dictionary<long, Item> seen, string where, string cause)
    {
        var missing = model.Keys.Where(id => !seen.ContainsKey(id)).ToArray();
        if (missing.Length > 0)
            return new(Outcome.Lost, "committed items missing" + cause, $"{where}: {missing.Length} of {model.Count} missing (ids {string.Join(",", missing.Take(6))})");
        var extra = seen.Keys.Where(id => !model.ContainsKey(id)).ToArray();
        if (extra.Length > 0)
            return new(Outcome.Lost, "committed removals undone (or phantom items)" + cause, $"{where}: ids {string.Join(",", extra.Take(6))}");
        var changed = model.Values.FirstOrDefault(i => seen[i.Id] != i);
        if (changed is null) return null;
        // A key that is not valid UTF-16 (a lone surrogate) cannot survive UTF-8 storage: accepted, then silently changed.
        bool lossy = System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(changed.Key)) != changed.Key;
        return new(Outcome.Garbage, lossy ? "a key with a lone surrogate accepted and changed on storage" : "an item's metadata changed" + cause,
            $"{where}: {changed} became {seen[changed.Id]}");
    }

    public void Dispose() { }
}
