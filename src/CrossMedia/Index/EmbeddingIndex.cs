using System.Runtime.InteropServices;
using CrossMedia.Core;
using CrossMedia.Index.Ann;

namespace CrossMedia.Index;

/// <summary>
/// A searchable collection of embedded items of several media: a <see cref="FlatIndex"/> plus
/// item metadata, saved as an <see cref="IndexFile"/>. An index opened from a file maps its
/// vectors (no copy) and replays the file's <see cref="IndexLog"/>; <see cref="Add"/> and
/// <see cref="Remove"/> then append to that log, and <see cref="Save"/> writes everything into a
/// new file atomically (compaction). Thread-safe: searches share a read lock, changes take a write lock.
/// Several processes may open one index file: each change holds the index's <see cref="IndexLock"/>
/// and first catches up with what other writers did, and every read first checks (two stat calls)
/// whether the files changed, so no change is lost or overwritten and every reader sees the others'.
/// </summary>
public sealed class EmbeddingIndex : IDisposable
{
    private FlatIndex _flat;
    private readonly List<IndexItem> _items = new();
    private readonly List<int> _mediumOf = new();
    /// <summary>Live items per (medium position in _media, label), kept up to date by every change, so counts and
    /// the totals of pages cost nothing per item (a health probe of a 1M index walked every item: 120–190 ms).</summary>
    private readonly Dictionary<(int Medium, int Label), int> _live = new();
    private readonly List<string> _media;
    private readonly ReaderWriterLockSlim _gate = new();
    private string? _path;
    private byte[]? _baseHash;
    private long _logLength;
    private bool _verifyVectors;
    private int _threads, _blockRows;
    /// <summary>(length, last write) of the index file and its log when last caught up with.</summary>
    private (long, DateTime) _indexSeen, _logSeen;
    private IndexLogStatus _logStatus = new(false, false, 0, 0);
    /// <summary>The approximate-search graph (null: exact search only) and whether it must be checked against the vectors.</summary>
    private HnswGraph? _ann;
    private bool _annUnchecked;
    private Action<string> _warn = message => Console.Error.WriteLine($"warning: {message}");
    /// <summary>A filtered approximate search asks the graph for 2·k / (share of items the filter keeps) candidates
    /// and keeps those that pass; past this many it scans the allowed items exactly instead (cheap when they are few).
    /// USearch's own filtered search was 20× slower than that scan at 10 % (bench/hnsw).</summary>
    internal const int MaxOverFetch = 1000;

    public string Method { get; }
    public string ModelSha256 { get; }
    public int Dimension => _flat.Dimension;
    public Metric Metric => _flat.Metric;
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>The class name of an item's label; null for an unlabelled item or a label without a name.</summary>
    public string? ClassOf(IndexItem item) => item.Label >= 0 && item.Label < ClassNames.Count ? ClassNames[item.Label] : null;
    /// <summary>Medium → the encoder feeding the model's branch of it (see <see cref="IndexHeader.Encoders"/>).</summary>
    public IReadOnlyDictionary<string, string> Encoders { get; }
    /// <summary>File the index was opened from or last saved to; null for a new in-memory index.</summary>
    public string? Path => _path;
    /// <summary>How long a change waits for another writer's <see cref="IndexLock"/> before <see cref="IndexBusyException"/>.</summary>
    public TimeSpan LockWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Threads per search (0: all cores).</summary>
    public int Threads { get => _threads; set => _flat.Threads = _threads = value; }
    /// <summary>Gallery rows per block (0: automatic).</summary>
    public int BlockRows { get => _blockRows; set => _flat.BlockRows = _blockRows = value; }

    private EmbeddingIndex(IndexHeader header)
    {
        IndexFile.CheckHeader(header, "index");
        _flat = new FlatIndex(header.Dimension, header.Metric);
        Method = header.Method;
        ModelSha256 = header.ModelSha256;
        _media = header.Media.ToList();
        ClassNames = header.ClassNames;
        Encoders = header.Encoders;
    }

    /// <summary>A new, empty index in memory.</summary>
    public static EmbeddingIndex Create(IndexHeader header) => new(header);

    /// <summary>Opens an index file (vectors memory-mapped) and replays its log; deletes temporary files that
    /// writers killed mid-write left beside it. <paramref name="verifyVectors"/>: check the vector checksum now
    /// (reads every byte once; also whenever another writer's compaction is loaded). <paramref name="warn"/> receives
    /// what was repaired (an approximate-search graph rebuilt from the vectors); default: standard error.</summary>
    public static EmbeddingIndex Open(string path, bool verifyVectors = true, Action<string>? warn = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        DeleteStaleTemps(full);
        var mapped = IndexFile.Open(full, verifyVectors);
        EmbeddingIndex? index = null;
        try
        {
            index = new EmbeddingIndex(mapped.Header) { _path = full, _verifyVectors = verifyVectors };
            if (warn is not null) index._warn = warn;
            index.Attach(mapped);
        }
        catch
        {
            if (index is null) mapped.Dispose(); else index.Dispose();
            throw;
        }
        try
        {
            index.CatchUp();
            index.OpenAnn();
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>What the log held when last read (for <c>index info</c>).</summary>
    public IndexLogStatus LogStatus
    {
        get => Read(() => _logStatus);
    }

    public IndexHeader Header
    {
        get => Read(() => new IndexHeader(Method, ModelSha256, Dimension, Metric, _media.ToArray(), ClassNames, Encoders));
    }

    /// <summary>The id the next added item gets: past every id ever given out, removed ones included.</summary>
    internal long NextId => Read(() => _flat.NextId);

    /// <summary>Live items.</summary>
    public int Count
    {
        get => Read(() => _flat.Count);
    }

    /// <summary>Live item counts per medium.</summary>
    public IReadOnlyDictionary<string, int> CountByMedium() => Read<IReadOnlyDictionary<string, int>>(() =>
    {
        var counts = _media.ToDictionary(m => m, _ => 0);
        foreach (var ((m, _), n) in _live) counts[_media[m]] += n;
        return counts;
    });

    /// <summary>Live items per medium and per label (media and labels without items are left out).</summary>
    public ItemCounts Counts() => Read(() =>
    {
        var byMedium = new Dictionary<string, int>();
        var byLabel = new Dictionary<int, int>();
        foreach (var ((m, label), n) in _live)
        {
            byMedium[_media[m]] = byMedium.GetValueOrDefault(_media[m]) + n;
            byLabel[label] = byLabel.GetValueOrDefault(label) + n;
        }
        return new ItemCounts(byMedium, byLabel);
    });

    /// <summary>The live items that pass <paramref name="filter"/>, in id order, from the <paramref name="offset"/>-th on
    /// (at most <paramref name="limit"/>), and how many pass in all.</summary>
    public (int Total, IReadOnlyList<IndexItem> Page) Page(SearchFilter? filter, int offset, int limit) => Read<(int, IReadOnlyList<IndexItem>)>(() =>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var allowed = Allows(filter);
        int total = _live.Where(kv => allowed(kv.Key.Medium, kv.Key.Label)).Sum(kv => kv.Value);
        int wanted = Math.Min(limit, Math.Max(0, total - offset));
        var page = new List<IndexItem>(wanted);
        for (int p = 0, seen = 0; p < _items.Count && page.Count < wanted; p++)
        {
            if (_flat.IsRemoved(p) || !allowed(_mediumOf[p], _items[p].Label)) continue;
            if (seen++ >= offset) page.Add(_items[p]);
        }
        return (total, page);
    });

    /// <summary>Adds items with their vectors (in the model's space); returns them with their ids.
    /// Every limit of the file format is checked before anything is written; for an index opened from a
    /// file the change is appended to its log before this returns.</summary>
    public IReadOnlyList<IndexItem> Add(IReadOnlyList<NewItem> newItems, Matrix vectors)
    {
        if (newItems.Count != vectors.Rows) throw new ArgumentException("one item per vector row");
        if (vectors.Rows > 0 && vectors.Cols != Dimension)
            throw new InputException("vectors", "dimension", $"{Dimension} (the index's dimension)", vectors.Cols.ToString());
        int bad = vectors.FirstNonFiniteRow();
        if (bad >= 0) throw new InputException("vectors", $"row {bad}", "finite values", "NaN or infinity");
        foreach (var n in newItems)
        {
            if (string.IsNullOrEmpty(n.Medium)) throw new InputException("item", "medium", "a medium name", "nothing");
            IndexFile.CheckString(n.Medium, "item", "medium");
            IndexFile.CheckString(n.Key, "item", "key");
            IndexFile.CheckString(n.Source, "item", "source");
            IndexFile.CheckLabel(n.Label, ClassNames.Count, "item", "label");
        }
        return Change(() =>
        {
            int newMedia = newItems.Select(n => n.Medium).Distinct().Count(m => !_media.Contains(m));
            if (_media.Count + newMedia > IndexFile.MaxMedia)
                throw new InputException("item", "medium", $"one of the index's {_media.Count} media (an index holds at most {IndexFile.MaxMedia})",
                    $"{newMedia} new one(s)");
            long next = _flat.NextId;
            var added = newItems.Select((n, i) => new IndexItem(next + i, n.Key, n.Medium, n.Label, n.Source)).ToArray();
            if (_path is not null)
            {
                var records = added.Select((a, i) => (IndexLog.Record)new IndexLog.AddRecord(a.Id, a.Medium, a.Label, a.Key, a.Source,
                    vectors.RowReadOnly(i).ToArray()));
                Append(records.ToList());
            }
            _flat.Add(vectors, added.Select(a => a.Id).ToArray());
            foreach (var a in added) Track(a);
            if (_ann is not null) foreach (var a in added) _ann.Add(a.Id, _flat.VectorAt(_flat.PositionOf(a.Id)));
            return added;
        });
    }

    /// <summary>Removes items by id; returns how many were present.</summary>
    public int Remove(IReadOnlyCollection<long> ids) => Change(() =>
    {
        var present = ids.Distinct().Where(_flat.Contains).ToArray();
        if (present.Length == 0) return 0;
        if (_path is not null) Append(present.Select(id => (IndexLog.Record)new IndexLog.RemoveRecord(id)).ToList());
        if (_ann is not null) foreach (var id in present) _ann.Remove(id);
        foreach (var id in present) Untrack(_flat.PositionOf(id));
        return _flat.Remove(present);
    });

    /// <summary>The live item with this id, or null.</summary>
    public IndexItem? Get(long id) => Read(() =>
    {
        int p = _flat.PositionOf(id);
        return p >= 0 && !_flat.IsRemoved(p) ? _items[p] : null;
    });

    /// <summary>The stored vector of the live item with this id (a copy, as a 1-row query), or null.</summary>
    public Matrix? VectorOf(long id) => Read(() =>
    {
        int p = _flat.PositionOf(id);
        return p >= 0 && !_flat.IsRemoved(p) ? new Matrix(_flat.VectorAt(p).ToArray(), 1, Dimension) : null;
    });

    /// <summary>The filter as a test of (medium position in _media, label): media are looked up once, not per item.</summary>
    private Func<int, int, bool> Allows(SearchFilter? filter)
    {
        var mediumAllowed = _media.Select(m => filter?.Media is not { } media || media.Contains(m)).ToArray();
        var labels = filter?.Labels;
        return (m, label) => mediumAllowed[m] && (labels is null || labels.Contains(label));
    }

    /// <summary>Live items in id order.</summary>
    public IReadOnlyList<IndexItem> Items() => Read<IReadOnlyList<IndexItem>>(() => _items.Where((_, p) => !_flat.IsRemoved(p)).ToArray());

    /// <summary>The k best items per query row (model-space vectors), best first; fewer when the filter leaves fewer.
    /// With an approximate-search graph (<see cref="Ann"/>) the graph finds the candidates, unless <paramref name="exact"/>;
    /// scores are always computed from the stored vectors.</summary>
    public IReadOnlyList<SearchHit[]> Search(Matrix queries, int k, SearchFilter? filter = null, bool exact = false) => Read<IReadOnlyList<SearchHit[]>>(() =>
    {
        Func<int, bool>? allow = null;
        if (filter is not null && !filter.IsEmpty)
        {
            var allowed = Allows(filter);
            allow = p => allowed(_mediumOf[p], _items[p].Label);
        }
        var (scores, ids) = _ann is null || exact ? _flat.Search(queries, k, allow) : SearchAnn(_ann, queries, k, allow);
        var result = new SearchHit[queries.Rows][];
        for (int q = 0; q < queries.Rows; q++)
        {
            var hits = new List<SearchHit>(k);
            for (int j = 0; j < k; j++)
            {
                long id = ids[q * k + j];
                if (id < 0) break;
                hits.Add(new SearchHit(_items[_flat.PositionOf(id)], scores[q * k + j]));
            }
            result[q] = hits.ToArray();
        }
        return result;
    });

    /// <summary>
    /// <see cref="FlatIndex.Search"/>'s answer shape from the graph: candidates from HNSW, re-scored exactly and
    /// re-ordered. A filter over-fetches (2·k / the share it keeps) and keeps what passes; a filter keeping too few
    /// items for that scans them exactly instead. A query the graph answers with fewer hits than exist is answered
    /// exactly (refill), so a list is never silently shorter.
    /// </summary>
    private (float[] Scores, long[] Ids) SearchAnn(HnswGraph graph, Matrix queries, int k, Func<int, bool>? allow)
    {
        if (k <= 0) throw new InputException("search", "k", "a positive number", k.ToString());
        var q = _flat.PrepareQueries(queries);
        // A quantized graph ranks by approximate distances: twice the candidates, scored exactly, make up for it.
        int rows = queries.Rows, eligible = _flat.Count, fetch = graph.Settings.Quantized ? 2 * k : k;
        int[]? positions = null;
        if (allow is not null)
        {
            positions = Enumerable.Range(0, _flat.Positions).Where(p => !_flat.IsRemoved(p) && allow(p)).ToArray();
            double wanted = Math.Ceiling(2.0 * k * _flat.Count / Math.Max(1, positions.Length));
            if (positions.Length <= k || wanted > MaxOverFetch) return _flat.SearchPositions(q, rows, k, positions);
            fetch = Math.Max(fetch, (int)wanted);
            eligible = positions.Length;
        }
        var scores = new float[rows * k];
        var ids = new long[rows * k];
        bool ascending = Metric == Metric.L2;
        var refill = new System.Collections.Concurrent.ConcurrentBag<int>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = _threads > 0 ? _threads : Environment.ProcessorCount };
        Parallel.For(0, rows, options, () => (new ulong[fetch], new float[fetch]), (r, _, buffers) =>
        {
            var (keys, distances) = buffers;
            var query = q.AsSpan(r * Dimension, Dimension);
            int n = graph.Search(query, fetch, keys, distances);
            var hits = new List<(float Score, long Id)>(n);
            for (int i = 0; i < n; i++)
            {
                int p = keys[i] <= long.MaxValue ? _flat.PositionOf((long)keys[i]) : -1;
                if (p >= 0 && !_flat.IsRemoved(p) && (allow is null || allow(p))) hits.Add((_flat.ScoreAt(query, p), (long)keys[i]));
            }
            if (hits.Count < Math.Min(k, eligible)) { refill.Add(r); return buffers; }
            hits.Sort((a, b) => a.Score != b.Score ? (ascending ? a.Score.CompareTo(b.Score) : b.Score.CompareTo(a.Score)) : a.Id.CompareTo(b.Id));
            for (int j = 0; j < k; j++)
            {
                scores[r * k + j] = j < hits.Count ? hits[j].Score : float.NaN;
                ids[r * k + j] = j < hits.Count ? hits[j].Id : -1;
            }
            return buffers;
        }, _ => { });
        if (!refill.IsEmpty)
        {
            var again = refill.Order().ToArray();
            var (s1, i1) = positions is not null
                ? _flat.SearchPositions(again.SelectMany(r => q.AsSpan(r * Dimension, Dimension).ToArray()).ToArray(), again.Length, k, positions)
                : _flat.Search(queries.SelectRows(again), k);
            for (int i = 0; i < again.Length; i++)
            {
                Array.Copy(s1, i * k, scores, again[i] * k, k);
                Array.Copy(i1, i * k, ids, again[i] * k, k);
            }
        }
        return (scores, ids);
    }

    /// <summary>The approximate-search settings, or null when the index searches exactly only.</summary>
    public AnnSettings? Ann => Read(() => _ann?.Settings);

    /// <summary>What the approximate-search graph holds (for <c>index info</c>), or null.</summary>
    public AnnStatus? AnnInfo => Read(() => _ann is null ? null : new AnnStatus(_ann.Settings, _ann.Size, _ann.MemoryUsage,
        _path is not null && File.Exists(GraphPathFor(_path)) ? new FileInfo(GraphPathFor(_path)).Length : 0, _ann.Isa, USearchNative.Version, _ann.IsView));

    /// <summary>File holding an index's approximate-search settings (its presence turns approximate search on).</summary>
    public static string AnnPathFor(string indexPath) => indexPath + ".ann.json";

    /// <summary>File holding an index's HNSW graph (derived from the vectors; rebuilt from them when missing or damaged).</summary>
    public static string GraphPathFor(string indexPath) => indexPath + ".hnsw";

    /// <summary>
    /// Turns approximate (HNSW) search on with <paramref name="settings"/>, building the graph from the stored vectors
    /// (only expansion_search changed: no rebuild); for an index backed by a file, the settings and the graph are written
    /// beside it atomically. Null turns it off (and deletes both files).
    /// </summary>
    public void SetAnn(AnnSettings? settings) => Change(() =>
    {
        settings?.Validate();
        if (settings is null)
        {
            _ann?.Dispose();
            _ann = null;
            if (_path is not null) { File.Delete(AnnPathFor(_path)); File.Delete(GraphPathFor(_path)); }
            return 0;
        }
        if (_ann is not null && _ann.Settings with { ExpansionSearch = settings.ExpansionSearch } == settings) _ann.SetExpansionSearch(settings.ExpansionSearch);
        else
        {
            _ann?.Dispose();
            _ann = null;
            _ann = BuildGraph(settings);
            if (_path is not null) _ann.Save(GraphPathFor(_path));
        }
        if (_path is not null) SaveAnnSettings(_path, settings);
        return 0;
    });

    private unsafe HnswGraph BuildGraph(AnnSettings settings)
    {
        var graph = HnswGraph.Create(Dimension, Metric, settings);
        try
        {
            var live = Enumerable.Range(0, _flat.Positions).Where(p => !_flat.IsRemoved(p)).ToArray();
            // Stored vectors live in mapped or native memory, which does not move: their addresses stay valid.
            graph.AddMany(live.Length, i =>
            {
                fixed (float* v = _flat.VectorAt(live[i])) return (_flat.IdAt(live[i]), (IntPtr)v);
            }, _threads);
            return graph;
        }
        catch
        {
            graph.Dispose();
            throw;
        }
    }

    private static void SaveAnnSettings(string indexPath, AnnSettings settings) =>
        AtomicFile.WriteAllText(AnnPathFor(indexPath), System.Text.Json.JsonSerializer.Serialize(settings));

    /// <summary>
    /// At open: loads the graph when the index has approximate search on. A graph file that is missing, damaged or
    /// built with other settings is rebuilt from the exact vectors (with a warning) and written again when no other
    /// writer is at work; then it is brought up to the vectors (the log's adds and removes since it was written).
    /// </summary>
    private void OpenAnn()
    {
        var settingsPath = AnnPathFor(_path!);
        if (!File.Exists(settingsPath)) return;
        AnnSettings settings;
        try
        {
            settings = System.Text.Json.JsonSerializer.Deserialize<AnnSettings>(File.ReadAllText(settingsPath))
                ?? throw new System.Text.Json.JsonException("null");
            settings.Validate();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InputException)
        {
            throw new InputException(settingsPath, "", "approximate-search settings (Connectivity, ExpansionAdd, ExpansionSearch, Quantization)",
                InputException.Excerpt(ex.Message));
        }
        var graphPath = GraphPathFor(_path!);
        _gate.EnterWriteLock();
        try
        {
            try { _ann = HnswGraph.Load(graphPath, Dimension, Metric, settings); }
            catch (Exception ex) when (ex is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
            {
                _warn($"{graphPath}: {(ex is FileNotFoundException ? "missing" : ex.Message)}; rebuilding the HNSW graph from the index's vectors");
                _ann = BuildGraph(settings);
                SaveGraphIfFree();
            }
            _annUnchecked = true;
            SyncAnn();
        }
        finally { _gate.ExitWriteLock(); }
    }

    /// <summary>Writes the graph beside the index file when no other writer holds the index (a busy writer's own save wins).</summary>
    private void SaveGraphIfFree()
    {
        try
        {
            using var held = IndexLock.TryAcquire(_path!);
            if (held is not null) _ann!.Save(GraphPathFor(_path!));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { _warn($"{GraphPathFor(_path!)}: not written ({ex.Message})"); }
    }

    /// <summary>
    /// Brings the graph up to the vectors after it was loaded or the base file changed (caller holds the write lock):
    /// live ids it lacks are added, removed ones dropped; a graph still holding ids the index never had is rebuilt.
    /// </summary>
    private void SyncAnn()
    {
        if (_ann is null || !_annUnchecked) return;
        var settings = _ann.Settings;
        if (!Reconcile(_ann))
        {
            // Another writer's compaction dropped the items it removed: its graph file matches its index file.
            HnswGraph? written = null;
            try { written = HnswGraph.Load(GraphPathFor(_path!), Dimension, Metric, settings); }
            catch (Exception ex) when (ex is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException) { }
            if (written is not null && Reconcile(written)) { _ann.Dispose(); _ann = written; }
            else
            {
                written?.Dispose();
                _warn($"{GraphPathFor(_path!)}: holds other vectors than the index ({_ann.Size} for {_flat.Count} items); rebuilding the HNSW graph from the index's vectors");
                _ann.Dispose();
                _ann = null;
                _ann = BuildGraph(settings);
                SaveGraphIfFree();
            }
        }
        _annUnchecked = false;
    }

    /// <summary>Adds the live items <paramref name="graph"/> lacks and drops removed ones; false when it still holds
    /// more vectors than the index has live items (ids of items the index no longer has).</summary>
    private bool Reconcile(HnswGraph graph)
    {
        for (int p = 0; p < _flat.Positions; p++)
        {
            long id = _flat.IdAt(p);
            bool inGraph = graph.Contains(id);  // asked first: a graph read in place from its file is copied only to change
            if (_flat.IsRemoved(p)) { if (inGraph) graph.Remove(id); }
            else if (!inGraph) graph.Add(id, _flat.VectorAt(p));
        }
        return graph.Size == _flat.Count;
    }

    /// <summary>Writes the live items into <paramref name="target"/> atomically (compaction) under its writer lock,
    /// with every change other writers made to this index's file first; the index then belongs to that file,
    /// and the file's old log, now stale, is deleted.</summary>
    public void Save(string target)
    {
        var full = System.IO.Path.GetFullPath(target);
        using var held = IndexLock.Acquire(full, LockWait);
        _gate.EnterWriteLock();
        try
        {
            if (_path is not null) CatchUp();
            AtomicFile.DeleteStaleTemps(full);
            var live = Enumerable.Range(0, _items.Count).Where(p => !_flat.IsRemoved(p)).ToArray();
            var usedMedia = _media.Where(m => live.Any(p => _items[p].Medium == m)).ToList();
            if (usedMedia.Count == 0) usedMedia = _media.ToList();
            var header = new IndexHeader(Method, ModelSha256, Dimension, Metric, usedMedia, ClassNames, Encoders);
            var hash = IndexFile.Write(full, header, live.Select(p => _items[p]).ToArray(),
                (i, dst) => _flat.VectorAt(live[i]).CopyTo(dst), _flat.NextId);
            var logPath = IndexLog.PathFor(full);
            if (File.Exists(logPath))
            {
                File.Delete(logPath);
                Posix.SyncDirectory(System.IO.Path.GetDirectoryName(full)!);
            }
            if (_ann is not null)
            {
                _ann.Save(GraphPathFor(full));
                SaveAnnSettings(full, _ann.Settings);
            }
            else
            {
                // A graph an earlier index at this path left would describe other vectors.
                File.Delete(AnnPathFor(full));
                File.Delete(GraphPathFor(full));
            }
            _path = full;
            _baseHash = hash;
            _logLength = 0;
            _logStatus = new IndexLogStatus(false, false, 0, 0);
            (_indexSeen, _logSeen) = (Stamp(full), Stamp(logPath));
        }
        finally { _gate.ExitWriteLock(); }
    }

    /// <summary>Runs a change under the gate's write lock and, for an index backed by a file, under its writer
    /// lock after catching up with the files, so the change lands on top of every other writer's.</summary>
    private T Change<T>(Func<T> change)
    {
        using var held = _path is null ? null : IndexLock.Acquire(_path, LockWait);
        _gate.EnterWriteLock();
        try
        {
            if (_path is not null) CatchUp();
            return change();
        }
        finally { _gate.ExitWriteLock(); }
    }

    /// <summary>Runs a read under the gate's read lock, after catching up with other writers' changes to the files.</summary>
    private T Read<T>(Func<T> read)
    {
        Observe();
        _gate.EnterReadLock();
        try { return read(); }
        finally { _gate.ExitReadLock(); }
    }

    private void Append(List<IndexLog.Record> records)
    {
        var logPath = IndexLog.PathFor(_path!);
        _logLength = IndexLog.Append(logPath, _baseHash!, _logLength, records);
        _logStatus = _logStatus with { Exists = true, Stale = false, Records = _logStatus.Records + records.Count, TornBytes = 0 };
        _logSeen = Stamp(logPath);
    }

    /// <summary>Catches up (under the write lock) when the index file or its log changed since the last look.</summary>
    private void Observe()
    {
        if (_path is null || (Stamp(_path) == _indexSeen && Stamp(IndexLog.PathFor(_path)) == _logSeen)) return;
        _gate.EnterWriteLock();
        try { CatchUp(); }
        finally { _gate.ExitWriteLock(); }
    }

    /// <summary>
    /// Brings memory up to the files (caller holds the gate's write lock): a new index file (another writer
    /// compacted it) is mapped afresh, then the log records past those already applied are replayed. Reads
    /// only, so it is safe without the writer lock; what it sees mid-write is a torn tail, read again next time.
    /// </summary>
    private void CatchUp()
    {
        var logPath = IndexLog.PathFor(_path!);
        for (int attempt = 0; ; attempt++)
        {
            var (indexStamp, logStamp) = (Stamp(_path!), Stamp(logPath));
            bool reload = attempt > 0 || !SameBytes(IndexFile.ReadContentHash(_path!), _baseHash);
            if (reload) Attach(IndexFile.Open(_path!, _verifyVectors));
            var replay = IndexLog.Read(logPath, _baseHash!, Dimension, _logLength);
            // A log that no longer extends what was applied: the index was replaced between the two reads (or the
            // log deleted by hand); start again from the files as they are now.
            if (_logLength > 0 && replay.State != IndexLog.State.Current) continue;  // at most once: a reload starts at 0
            foreach (var r in replay.Records) Apply(r);
            _logLength = replay.ValidLength;
            _logStatus = new IndexLogStatus(replay.State != IndexLog.State.Missing || replay.TornBytes > 0, replay.State == IndexLog.State.Stale,
                _logStatus.Records + replay.Records.Count, replay.TornBytes);
            (_indexSeen, _logSeen) = (indexStamp, logStamp);
            SyncAnn();
            return;
        }
    }

    /// <summary>Makes <paramref name="mapped"/> the base: the index as that file holds it, before its log.</summary>
    private void Attach(IndexFile.Mapped mapped)
    {
        try
        {
            var h = mapped.Header;
            if (h.Dimension != Dimension || h.Metric != Metric || h.Method != Method || h.ModelSha256 != ModelSha256 || !h.ClassNames.SequenceEqual(ClassNames))
                throw new InputException(_path!, "header", $"the index this process opened ({Method}, dimension {Dimension}, {Metric.Name()})",
                    $"another index written over it ({h.Method}, dimension {h.Dimension}, {h.Metric.Name()}); open it again");
            var fresh = new FlatIndex(Dimension, Metric) { Threads = _threads, BlockRows = _blockRows };
            fresh.AttachBase(mapped.Vectors, mapped.Items.Length, mapped.Items.Select(i => i.Id).ToArray(), mapped, mapped.NextId);
            _flat.Dispose();
            _flat = fresh;
        }
        catch
        {
            mapped.Dispose();
            throw;
        }
        _items.Clear();
        _mediumOf.Clear();
        _live.Clear();
        _media.Clear();
        _media.AddRange(mapped.Header.Media);
        foreach (var item in mapped.Items) Track(item);
        _baseHash = mapped.ContentHash;
        _annUnchecked = true;
        _logLength = 0;
        _logStatus = new IndexLogStatus(false, false, 0, 0);
    }

    private static (long, DateTime) Stamp(string file)
    {
        var info = new FileInfo(file);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc) : (-1, default);
    }

    private static bool SameBytes(byte[]? a, byte[]? b) => a is not null && b is not null && a.AsSpan().SequenceEqual(b);

    /// <summary>Deletes temporary files that writers killed mid-write left beside the index, when no writer is
    /// at work now (the lock is free); a folder this process may not write is left alone.</summary>
    private static void DeleteStaleTemps(string full)
    {
        if (AtomicFile.TempsOf(full).Count == 0) return;
        try
        {
            using var held = IndexLock.TryAcquire(full);
            if (held is not null) AtomicFile.DeleteStaleTemps(full);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private void Track(IndexItem item)
    {
        int m = _media.IndexOf(item.Medium);
        if (m < 0) { _media.Add(item.Medium); m = _media.Count - 1; }
        _items.Add(item);
        _mediumOf.Add(m);
        _live[(m, item.Label)] = _live.GetValueOrDefault((m, item.Label)) + 1;
    }

    /// <summary>Takes the live item at <paramref name="position"/> out of the counts (before it is marked removed).</summary>
    private void Untrack(int position)
    {
        var key = (_mediumOf[position], _items[position].Label);
        if (--CollectionsMarshal.GetValueRefOrNullRef(_live, key) == 0) _live.Remove(key);
    }

    private void Apply(IndexLog.Record record)
    {
        switch (record)
        {
            case IndexLog.AddRecord a when a.Id >= _flat.NextId:
                _flat.Add(new Matrix(a.Vector, 1, a.Vector.Length), [a.Id]);
                Track(new IndexItem(a.Id, a.Key, a.Medium, a.Label, a.Source));
                _ann?.Add(a.Id, _flat.VectorAt(_flat.PositionOf(a.Id)));
                break;
            case IndexLog.RemoveRecord r:
                if (_flat.Contains(r.Id)) Untrack(_flat.PositionOf(r.Id));
                _flat.Remove([r.Id]);
                _ann?.Remove(r.Id);
                break;
        }
    }

    public void Dispose()
    {
        _ann?.Dispose();
        _flat.Dispose();
        _gate.Dispose();
    }
}

/// <summary>What an index's log held when last read.</summary>
/// <param name="Exists">A log file is there.</param>
/// <param name="Stale">It extends an older index file (a compaction already holds its records): ignored.</param>
/// <param name="Records">Records replayed or appended since the index file was loaded.</param>
/// <param name="TornBytes">Bytes of an interrupted last write after the last complete record (ignored; the next change cuts them).</param>
public sealed record IndexLogStatus(bool Exists, bool Stale, int Records, long TornBytes);

/// <summary>What an index's approximate-search graph holds: its settings, vectors, bytes in memory and on disk,
/// the SIMD code USearch picked, USearch's version, and whether the graph is read in place from its file
/// (<paramref name="Mapped"/>: memory-mapped, as opened; the first change copies it into memory).</summary>
public sealed record AnnStatus(AnnSettings Settings, long Vectors, long MemoryBytes, long FileBytes, string Isa, string Version, bool Mapped);
