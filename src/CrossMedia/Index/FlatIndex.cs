using System.Runtime.InteropServices;
using CrossMedia.Core;

namespace CrossMedia.Index;

/// <summary>
/// A flat (exact) vector index in the FAISS style: <see cref="Add"/>, <see cref="Search"/>
/// → (scores, ids) padded with −1, <see cref="Remove"/>, <see cref="Reset"/>. Vectors live in
/// segments: an optional read-only base (e.g. a memory-mapped index file) and an in-memory
/// segment that grows with <see cref="Add"/>. Ids ascend with position (assigned in order, never
/// reused), so id → position is a binary search. Removal marks a tombstone.
/// Searches may run concurrently; mutations must not overlap searches (the caller locks).
/// </summary>
public sealed unsafe class FlatIndex : IDisposable
{
    public int Dimension { get; }
    public Metric Metric { get; }
    /// <summary>Threads for a search (0: all cores).</summary>
    public int Threads { get; set; }
    /// <summary>Gallery rows per block (0: sized for the L2 cache); tests force small blocks.</summary>
    public int BlockRows { get; set; }

    private IntPtr _baseVectors;
    private int _baseCount;
    private IDisposable? _baseOwner;
    private float* added;
    private int _addedCount, _addedCapacity;
    private readonly List<long> _ids = new();
    private readonly List<bool> _removed = new();
    private int _removedCount;
    /// <summary>|x|² per position (L2 only), padded by a panel so the kernel may read 16 at a time.</summary>
    private float[] _sqNorms = [];
    /// <summary>The largest stored vector norm (removed ones included), found at the first search that needs it; −1 until then.</summary>
    private double _maxNorm = -1;
    private readonly object _maxNormLock = new();
    /// <summary>Bound on |score| (and on the kernel's partial sums), with room for float rounding.</summary>
    private const double ScoreLimit = float.MaxValue / 4.0;

    public FlatIndex(int dimension, Metric metric)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension));
        Dimension = dimension;
        Metric = metric;
    }

    /// <summary>Stored positions, removed ones included.</summary>
    public int Positions => _ids.Count;
    /// <summary>Searchable (not removed) vectors.</summary>
    public int Count => _ids.Count - _removedCount;
    public long NextId => Math.Max(_idFloor, _ids.Count == 0 ? 0 : _ids[^1] + 1);
    /// <summary>Lowest id the next <see cref="Add"/> may use (kept across <see cref="Reset"/>).</summary>
    private long _idFloor;
    public long IdAt(int position) => _ids[position];
    public bool IsRemoved(int position) => _removed[position];

    /// <summary>
    /// Uses <paramref name="count"/> vectors at <paramref name="vectors"/> (kept alive by
    /// <paramref name="owner"/>, disposed with the index) as the base segment. Cosine vectors must
    /// already be unit length. Ids from then on start at <paramref name="nextId"/> or above the base's.
    /// </summary>
    internal void AttachBase(IntPtr vectors, int count, IReadOnlyList<long> baseIds, IDisposable? owner, long nextId = 0)
    {
        if (_ids.Count != 0) throw new InvalidOperationException("the base must be attached to an empty index");
        for (int i = 1; i < baseIds.Count; i++)
            if (baseIds[i] <= baseIds[i - 1]) throw new ArgumentException("ids must ascend");
        _baseVectors = vectors;
        _baseCount = count;
        _maxNorm = -1;
        _idFloor = nextId;
        _baseOwner = owner;
        _ids.AddRange(baseIds);
        _removed.AddRange(Enumerable.Repeat(false, count));
        if (Metric == Metric.L2)
        {
            EnsureNorms(count);
            for (int i = 0; i < count; i++) _sqNorms[i] = Vectors.SquaredNorm(new ReadOnlySpan<float>((float*)vectors + (long)i * Dimension, Dimension));
        }
    }

    /// <summary>Adds rows of <paramref name="vectors"/>; returns their ids (consecutive from <see cref="NextId"/>
    /// unless <paramref name="explicitIds"/>, which must ascend past every stored id).</summary>
    public long[] Add(Matrix vectors, IReadOnlyList<long>? explicitIds = null)
    {
        if (vectors.Cols != Dimension && vectors.Rows > 0)
            throw new InputException("vectors", "dimension", Dimension.ToString(), vectors.Cols.ToString());
        int bad = vectors.FirstNonFiniteRow();
        if (bad >= 0) throw new InputException("vectors", $"row {bad}", "finite values", "NaN or infinity");
        if (explicitIds is not null && explicitIds.Count != vectors.Rows) throw new ArgumentException("one id per row");
        var newIds = new long[vectors.Rows];
        long next = NextId;
        for (int i = 0; i < newIds.Length; i++)
        {
            long id = explicitIds?[i] ?? next;
            if (id < next) throw new ArgumentException($"id {id} does not ascend past {next - 1}");
            newIds[i] = id;
            next = id + 1;
        }
        EnsureAdded(_addedCount + vectors.Rows);
        EnsureNorms(_ids.Count + vectors.Rows);
        for (int i = 0; i < vectors.Rows; i++)
        {
            var dst = new Span<float>(added + (long)(_addedCount + i) * Dimension, Dimension);
            vectors.RowReadOnly(i).CopyTo(dst);
            if (Metric == Metric.Cosine) Vectors.Normalise(dst);
            if (Metric == Metric.L2) _sqNorms[_ids.Count + i] = Vectors.SquaredNorm(dst);
            if (_maxNorm >= 0) _maxNorm = Math.Max(_maxNorm, Norm(dst));
        }
        _addedCount += vectors.Rows;
        _ids.AddRange(newIds);
        _removed.AddRange(Enumerable.Repeat(false, vectors.Rows));
        return newIds;
    }

    /// <summary>Marks ids as removed; returns how many were present.</summary>
    public int Remove(IEnumerable<long> toRemove)
    {
        int n = 0;
        foreach (var id in toRemove)
        {
            int p = PositionOf(id);
            if (p >= 0 && !_removed[p]) { _removed[p] = true; _removedCount++; n++; }
        }
        return n;
    }

    /// <summary>Position of a live or removed id, or −1.</summary>
    public int PositionOf(long id)
    {
        int p = _ids.BinarySearch(id);
        return p >= 0 ? p : -1;
    }

    public bool Contains(long id) => PositionOf(id) is var p && p >= 0 && !_removed[p];

    /// <summary>The stored (normalised, for cosine) vector at a position.</summary>
    public ReadOnlySpan<float> VectorAt(int position) => position < _baseCount
        ? new ReadOnlySpan<float>((float*)_baseVectors + (long)position * Dimension, Dimension)
        : new ReadOnlySpan<float>(added + (long)(position - _baseCount) * Dimension, Dimension);

    /// <summary>
    /// The k best vectors for each query row. Scores: cosine similarity, inner product, or squared
    /// Euclidean distance (ascending) for L2. Rows are padded with id −1 and score NaN when fewer
    /// than k vectors pass <paramref name="allow"/> (a predicate on positions). Ties: lower id first.
    /// </summary>
    public (float[] Scores, long[] Ids) Search(Matrix queries, int k, Func<int, bool>? allow = null)
    {
        if (k <= 0) throw new InputException("search", "k", "a positive number", k.ToString());
        var q = PrepareQueries(queries);
        byte[]? mask = null;
        if (allow is not null || _removedCount > 0)
        {
            mask = new byte[_ids.Count];
            for (int p = 0; p < mask.Length; p++) mask[p] = (byte)(!_removed[p] && (allow is null || allow(p)) ? 1 : 0);
        }
        var segments = new List<ExactSearch.Segment>(2);
        if (_baseCount > 0) segments.Add(new(_baseVectors, _baseCount, 0));
        if (_addedCount > 0) segments.Add(new((IntPtr)added, _addedCount, _baseCount));
        var (keys, positions) = ExactSearch.Search(segments, Dimension, Metric == Metric.L2 ? _sqNorms : null,
            q, queries.Rows, k, mask, Threads, BlockRows);
        return ToScores(q, k, keys, positions, p => p);
    }

    /// <summary>
    /// Exact search of only the given (live) positions, gathered into one block first: the pre-filtered scan for a
    /// filter that leaves few items. <paramref name="q"/> comes from <see cref="PrepareQueries"/>.
    /// </summary>
    internal (float[] Scores, long[] Ids) SearchPositions(float[] q, int queryCount, int k, int[] positions)
    {
        var gathered = GC.AllocateUninitializedArray<float>(Math.Max(1, positions.Length * Dimension), pinned: true);
        float[]? offsets = Metric == Metric.L2 ? new float[positions.Length + PanelKernel.Width] : null;
        for (int i = 0; i < positions.Length; i++)
        {
            VectorAt(positions[i]).CopyTo(gathered.AsSpan(i * Dimension, Dimension));
            if (offsets is not null) offsets[i] = _sqNorms[positions[i]];
        }
        fixed (float* g = gathered)
        {
            var segments = positions.Length == 0 ? [] : new[] { new ExactSearch.Segment((IntPtr)g, positions.Length, 0) };
            var (keys, found) = ExactSearch.Search(segments, Dimension, offsets, q, queryCount, k, null, Threads, BlockRows);
            return ToScores(q, k, keys, found, i => positions[i]);
        }
    }

    /// <summary>Kernel keys and positions (of <paramref name="positionOf"/>) → scores and ids, as <see cref="Search"/> returns them.</summary>
    private (float[] Scores, long[] Ids) ToScores(float[] q, int k, float[] scores, int[] found, Func<int, int> positionOf)
    {
        var outIds = new long[found.Length];
        for (int i = 0; i < found.Length; i++)
        {
            if (found[i] < 0) { outIds[i] = -1; continue; }
            outIds[i] = _ids[positionOf(found[i])];
            float key = scores[i];
            if (Metric == Metric.L2)
            {
                // Key |x|² − 2·q·x → |q − x|², clamped at 0 against rounding.
                float qn = Vectors.SquaredNorm(q.AsSpan(i / k * Dimension, Dimension));
                scores[i] = MathF.Max(0f, qn + key);
            }
            else scores[i] = (0f - key) * 0.5f; // key −2·q·x → q·x, exactly (0 − key keeps +0)
        }
        return (scores, outIds);
    }

    /// <summary>Queries checked (dimension, finite, norm) and copied as stored vectors are: unit length for cosine.</summary>
    internal float[] PrepareQueries(Matrix queries)
    {
        if (queries.Cols != Dimension && queries.Rows > 0)
            throw new InputException("query", "dimension", Dimension.ToString(), queries.Cols.ToString());
        int bad = queries.FirstNonFiniteRow();
        if (bad >= 0) throw new InputException("query", $"row {bad}", "finite values", "NaN or infinity");
        var q = (float[])queries.Data.Clone();
        if (Metric == Metric.Cosine)
            for (int i = 0; i < queries.Rows; i++) Vectors.Normalise(q.AsSpan(i * Dimension, Dimension));
        else CheckQueryNorms(q, queries.Rows);
        return q;
    }

    /// <summary>The score <see cref="Search"/> gives a prepared query against a stored position (for re-scoring approximate hits).</summary>
    internal float ScoreAt(ReadOnlySpan<float> q, int position)
    {
        var x = VectorAt(position);
        if (Metric != Metric.L2) return Vectors.Dot(q, x);
        return MathF.Max(0f, Vectors.SquaredNorm(q) + _sqNorms[position] - 2 * Vectors.Dot(q, x));
    }

    /// <summary>
    /// Refuses a finite query whose scores could overflow float32 (a vector of 1e30s against an
    /// inner-product index gave infinities and NaNs, which JSON cannot carry). |q·x| ≤ |q|·|x| bounds
    /// every partial sum of the kernel, so the query norm is held to what the largest stored vector
    /// allows (for L2 also |q|² and 2|q||x| + |x|²). Cosine queries are unit vectors.
    /// </summary>
    private void CheckQueryNorms(float[] q, int rows)
    {
        double items = MaxNorm();
        double limit = Metric == Metric.L2
            ? Math.Min(Math.Sqrt(ScoreLimit), (ScoreLimit - items * items) / (2 * items))
            : ScoreLimit / items;
        for (int r = 0; r < rows; r++)
        {
            double norm = Norm(q.AsSpan(r * Dimension, Dimension));
            if (norm > limit)
                throw new InputException("query", $"row {r}",
                    $"a vector of norm at most {Math.Max(0, limit):G3} (larger {Metric.Name()} scores overflow float32; the largest stored vector has norm {items:G3})",
                    $"norm {norm:G3}");
        }
    }

    private double MaxNorm()
    {
        lock (_maxNormLock)
        {
            if (_maxNorm < 0)
            {
                double max = 0;
                for (int p = 0; p < _ids.Count; p++) max = Math.Max(max, Norm(VectorAt(p)));
                _maxNorm = max;
            }
            return _maxNorm;
        }
    }

    /// <summary>The Euclidean norm in double precision, which cannot overflow for float vectors.</summary>
    private static double Norm(ReadOnlySpan<float> v)
    {
        double s = 0;
        foreach (var x in v) s += (double)x * x;
        return Math.Sqrt(s);
    }

    /// <summary>Removes every vector (ids keep ascending from where they were).</summary>
    public void Reset()
    {
        _idFloor = NextId;
        ReleaseStorage();
        _ids.Clear();
        _removed.Clear();
        _removedCount = 0;
    }

    private void EnsureAdded(int rows)
    {
        if (rows <= _addedCapacity) return;
        int cap = Math.Max(rows, Math.Max(64, _addedCapacity * 2));
        added = (float*)NativeMemory.Realloc(added, (nuint)((long)cap * Dimension * sizeof(float)));
        _addedCapacity = cap;
    }

    private void EnsureNorms(int positions)
    {
        if (Metric != Metric.L2 || positions + PanelKernel.Width <= _sqNorms.Length) return;
        var grown = new float[Math.Max(positions, _sqNorms.Length * 2) + PanelKernel.Width];
        _sqNorms.CopyTo(grown, 0);
        _sqNorms = grown;
    }

    private void ReleaseStorage()
    {
        _baseOwner?.Dispose();
        _baseOwner = null;
        _baseVectors = IntPtr.Zero;
        _baseCount = 0;
        if (added != null) NativeMemory.Free(added);
        added = null;
        _addedCount = _addedCapacity = 0;
        _sqNorms = [];
        _maxNorm = -1;
    }

    public void Dispose()
    {
        ReleaseStorage();
        GC.SuppressFinalize(this);
    }

    ~FlatIndex()
    {
        if (added != null) NativeMemory.Free(added);
    }
}
