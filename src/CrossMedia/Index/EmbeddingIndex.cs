using CrossMedia.Core;

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
    /// (reads every byte once; also whenever another writer's compaction is loaded).</summary>
    public static EmbeddingIndex Open(string path, bool verifyVectors = true)
    {
        var full = System.IO.Path.GetFullPath(path);
        DeleteStaleTemps(full);
        var mapped = IndexFile.Open(full, verifyVectors);
        EmbeddingIndex? index = null;
        try
        {
            index = new EmbeddingIndex(mapped.Header) { _path = full, _verifyVectors = verifyVectors };
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
        for (int p = 0; p < _items.Count; p++) if (!_flat.IsRemoved(p)) counts[_items[p].Medium]++;
        return counts;
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
            return added;
        });
    }

    /// <summary>Removes items by id; returns how many were present.</summary>
    public int Remove(IReadOnlyCollection<long> ids) => Change(() =>
    {
        var present = ids.Distinct().Where(_flat.Contains).ToArray();
        if (present.Length == 0) return 0;
        if (_path is not null) Append(present.Select(id => (IndexLog.Record)new IndexLog.RemoveRecord(id)).ToList());
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

    /// <summary>Live items in id order.</summary>
    public IReadOnlyList<IndexItem> Items() => Read<IReadOnlyList<IndexItem>>(() => _items.Where((_, p) => !_flat.IsRemoved(p)).ToArray());

    /// <summary>The k best items per query row (model-space vectors), best first; fewer when the filter leaves fewer.</summary>
    public IReadOnlyList<SearchHit[]> Search(Matrix queries, int k, SearchFilter? filter = null) => Read<IReadOnlyList<SearchHit[]>>(() =>
    {
        Func<int, bool>? allow = null;
        if (filter is not null && !filter.IsEmpty)
        {
            var mediumAllowed = _media.Select(m => filter.Media is null || filter.Media.Contains(m)).ToArray();
            var labels = filter.Labels;
            allow = p => mediumAllowed[_mediumOf[p]] && (labels is null || labels.Contains(_items[p].Label));
        }
        var (scores, ids) = _flat.Search(queries, k, allow);
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
        _media.Clear();
        _media.AddRange(mapped.Header.Media);
        foreach (var item in mapped.Items) Track(item);
        _baseHash = mapped.ContentHash;
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
    }

    private void Apply(IndexLog.Record record)
    {
        switch (record)
        {
            case IndexLog.AddRecord a when a.Id >= _flat.NextId:
                _flat.Add(new Matrix(a.Vector, 1, a.Vector.Length), [a.Id]);
                Track(new IndexItem(a.Id, a.Key, a.Medium, a.Label, a.Source));
                break;
            case IndexLog.RemoveRecord r:
                _flat.Remove([r.Id]);
                break;
        }
    }

    public void Dispose()
    {
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
