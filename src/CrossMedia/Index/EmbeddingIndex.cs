using CrossMedia.Core;

namespace CrossMedia.Index;

/// <summary>
/// A searchable collection of embedded items of several media: a <see cref="FlatIndex"/> plus
/// item metadata, saved as an <see cref="IndexFile"/>. An index opened from a file maps its
/// vectors (no copy) and replays the file's <see cref="IndexLog"/>; <see cref="Add"/> and
/// <see cref="Remove"/> then append to that log, and <see cref="Save"/> writes everything into a
/// new file atomically (compaction). Thread-safe: searches share a read lock, changes take a write lock.
/// </summary>
public sealed class EmbeddingIndex : IDisposable
{
    private readonly FlatIndex flat;
    private readonly List<IndexItem> items = new();
    private readonly List<int> mediumOf = new();
    private readonly List<string> media;
    private readonly ReaderWriterLockSlim gate = new();
    private string? path;
    private byte[]? baseHash;
    private long logLength;

    public string Method { get; }
    public string ModelSha256 { get; }
    public int Dimension => flat.Dimension;
    public IndexMetric Metric => flat.Metric;
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>File the index was opened from or last saved to; null for a new in-memory index.</summary>
    public string? Path => path;

    /// <summary>Threads per search (0: all cores).</summary>
    public int Threads { get => flat.Threads; set => flat.Threads = value; }
    /// <summary>Gallery rows per block (0: automatic).</summary>
    public int BlockRows { get => flat.BlockRows; set => flat.BlockRows = value; }

    private EmbeddingIndex(IndexHeader header)
    {
        if (header.Dimension <= 0 || header.Dimension > IndexFile.MaxDimension)
            throw new InputException("index", "dimension", $"1..{IndexFile.MaxDimension}", header.Dimension.ToString());
        flat = new FlatIndex(header.Dimension, header.Metric);
        Method = header.Method;
        ModelSha256 = header.ModelSha256;
        media = header.Media.ToList();
        ClassNames = header.ClassNames;
    }

    /// <summary>A new, empty index in memory.</summary>
    public static EmbeddingIndex Create(IndexHeader header) => new(header);

    /// <summary>Opens an index file (vectors memory-mapped) and replays its log.
    /// <paramref name="verifyVectors"/>: check the vector checksum now (reads every byte once).</summary>
    public static EmbeddingIndex Open(string path, bool verifyVectors = true)
    {
        var mapped = IndexFile.Open(path, verifyVectors);
        EmbeddingIndex? index = null;
        try
        {
            index = new EmbeddingIndex(mapped.Header);
            index.flat.AttachBase(mapped.Vectors, mapped.Items.Length, mapped.Items.Select(i => i.Id).ToArray(), mapped);
            foreach (var item in mapped.Items) index.Track(item);
            index.path = System.IO.Path.GetFullPath(path);
            index.baseHash = mapped.ContentHash;
            var (records, length) = IndexLog.Read(IndexLog.PathFor(path), mapped.ContentHash, mapped.Header.Dimension);
            index.logLength = length;
            foreach (var r in records) index.Apply(r);
            return index;
        }
        catch
        {
            if (index is null) mapped.Dispose(); else index.Dispose();
            throw;
        }
    }

    public IndexHeader Header
    {
        get
        {
            gate.EnterReadLock();
            try { return new IndexHeader(Method, ModelSha256, Dimension, Metric, media.ToArray(), ClassNames); }
            finally { gate.ExitReadLock(); }
        }
    }

    /// <summary>Live items.</summary>
    public int Count
    {
        get { gate.EnterReadLock(); try { return flat.Count; } finally { gate.ExitReadLock(); } }
    }

    /// <summary>Live item counts per medium.</summary>
    public IReadOnlyDictionary<string, int> CountByMedium()
    {
        gate.EnterReadLock();
        try
        {
            var counts = media.ToDictionary(m => m, _ => 0);
            for (int p = 0; p < items.Count; p++) if (!flat.IsRemoved(p)) counts[items[p].Medium]++;
            return counts;
        }
        finally { gate.ExitReadLock(); }
    }

    /// <summary>Adds items with their vectors (in the model's space); returns them with their ids.
    /// For an index opened from a file the change is appended to its log before this returns.</summary>
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
            if (n.Label < -1 || (ClassNames.Count > 0 && n.Label >= ClassNames.Count))
                throw new InputException("item", "label", $"-1..{ClassNames.Count - 1}", n.Label.ToString());
        }
        gate.EnterWriteLock();
        try
        {
            long next = flat.NextId;
            var added = newItems.Select((n, i) => new IndexItem(next + i, n.Key, n.Medium, n.Label, n.Source)).ToArray();
            if (path is not null)
            {
                var records = added.Select((a, i) => (IndexLog.Record)new IndexLog.AddRecord(a.Id, a.Medium, a.Label, a.Key, a.Source,
                    vectors.RowReadOnly(i).ToArray()));
                logLength = IndexLog.Append(IndexLog.PathFor(path), baseHash!, logLength, records.ToList());
            }
            flat.Add(vectors, added.Select(a => a.Id).ToArray());
            foreach (var a in added) Track(a);
            return added;
        }
        finally { gate.ExitWriteLock(); }
    }

    /// <summary>Removes items by id; returns how many were present.</summary>
    public int Remove(IReadOnlyCollection<long> ids)
    {
        gate.EnterWriteLock();
        try
        {
            var present = ids.Distinct().Where(flat.Contains).ToArray();
            if (present.Length == 0) return 0;
            if (path is not null)
                logLength = IndexLog.Append(IndexLog.PathFor(path), baseHash!, logLength,
                    present.Select(id => (IndexLog.Record)new IndexLog.RemoveRecord(id)).ToList());
            return flat.Remove(present);
        }
        finally { gate.ExitWriteLock(); }
    }

    /// <summary>The live item with this id, or null.</summary>
    public IndexItem? Get(long id)
    {
        gate.EnterReadLock();
        try
        {
            int p = flat.PositionOf(id);
            return p >= 0 && !flat.IsRemoved(p) ? items[p] : null;
        }
        finally { gate.ExitReadLock(); }
    }

    /// <summary>Live items in id order.</summary>
    public IReadOnlyList<IndexItem> Items()
    {
        gate.EnterReadLock();
        try { return items.Where((_, p) => !flat.IsRemoved(p)).ToArray(); }
        finally { gate.ExitReadLock(); }
    }

    /// <summary>The k best items per query row (model-space vectors), best first; fewer when the filter leaves fewer.</summary>
    public IReadOnlyList<SearchHit[]> Search(Matrix queries, int k, SearchFilter? filter = null)
    {
        gate.EnterReadLock();
        try
        {
            Func<int, bool>? allow = null;
            if (filter is not null && !filter.IsEmpty)
            {
                var mediumAllowed = media.Select(m => filter.Media is null || filter.Media.Contains(m)).ToArray();
                var labels = filter.Labels;
                allow = p => mediumAllowed[mediumOf[p]] && (labels is null || labels.Contains(items[p].Label));
            }
            var (scores, ids) = flat.Search(queries, k, allow);
            var result = new SearchHit[queries.Rows][];
            for (int q = 0; q < queries.Rows; q++)
            {
                var hits = new List<SearchHit>(k);
                for (int j = 0; j < k; j++)
                {
                    long id = ids[q * k + j];
                    if (id < 0) break;
                    hits.Add(new SearchHit(items[flat.PositionOf(id)], scores[q * k + j]));
                }
                result[q] = hits.ToArray();
            }
            return result;
        }
        finally { gate.ExitReadLock(); }
    }

    /// <summary>Writes the live items into <paramref name="target"/> atomically (compaction); the index then
    /// belongs to that file, and the file's old log, now stale, is deleted.</summary>
    public void Save(string target)
    {
        gate.EnterWriteLock();
        try
        {
            var live = Enumerable.Range(0, items.Count).Where(p => !flat.IsRemoved(p)).ToArray();
            var usedMedia = media.Where(m => live.Any(p => items[p].Medium == m)).ToList();
            if (usedMedia.Count == 0) usedMedia = media.ToList();
            var header = new IndexHeader(Method, ModelSha256, Dimension, Metric, usedMedia, ClassNames);
            var hash = IndexFile.Write(target, header, live.Select(p => items[p]).ToArray(),
                (i, dst) => flat.VectorAt(live[i]).CopyTo(dst));
            var logPath = IndexLog.PathFor(target);
            if (File.Exists(logPath)) File.Delete(logPath);
            path = System.IO.Path.GetFullPath(target);
            baseHash = hash;
            logLength = 0;
        }
        finally { gate.ExitWriteLock(); }
    }

    private void Track(IndexItem item)
    {
        int m = media.IndexOf(item.Medium);
        if (m < 0) { media.Add(item.Medium); m = media.Count - 1; }
        items.Add(item);
        mediumOf.Add(m);
    }

    private void Apply(IndexLog.Record record)
    {
        switch (record)
        {
            case IndexLog.AddRecord a when a.Id >= flat.NextId:
                flat.Add(new Matrix(a.Vector, 1, a.Vector.Length), [a.Id]);
                Track(new IndexItem(a.Id, a.Key, a.Medium, a.Label, a.Source));
                break;
            case IndexLog.RemoveRecord r:
                flat.Remove([r.Id]);
                break;
        }
    }

    public void Dispose()
    {
        flat.Dispose();
        gate.Dispose();
    }
}
