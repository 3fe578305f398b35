using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using CrossMedia.Core;
using static CrossMedia.Index.Ann.USearchNative;

namespace CrossMedia.Index.Ann;

/// <summary>
/// An HNSW graph over an index's vectors, keyed by item id (USearch through <see cref="USearchNative"/>). Derived
/// data: the exact vectors stay the source of truth and the graph can always be rebuilt from them. Guards the native
/// library's traps: capacity is reserved ahead of every add; concurrent calls are held to the thread slots reserved
/// (<see cref="Slots"/>); vector lengths are checked here, since the native side reads whatever length it assumes.
/// File: magic, a JSON header (settings it was built with, SHA-256 of the graph bytes), then USearch's own bytes.
/// A loaded graph is a read-only view of its file, memory-mapped (USearch reads the pages in place: opening costs the
/// checksum, not a copy, and the pages are the page cache's, shared and evictable); the first change copies it into
/// memory (<see cref="Materialize"/>). Not thread-safe for changes: the owner serialises adds/removes against searches.
/// </summary>
internal sealed unsafe class HnswGraph : IDisposable
{
    private static readonly byte[] Magic = "CMHNSW01"u8.ToArray();
    private IntPtr _handle;
    /// <summary>The graph file mapped while the graph is a view of it; null once the graph is in memory.</summary>
    private MappedGraph? _mapping;
    private readonly SemaphoreSlim _slots;
    private readonly Metric _metric;

    /// <summary>Concurrent native calls allowed (USearch refuses more than the thread slots it reserved).</summary>
    public static int Slots { get; } = Math.Max(1, Environment.ProcessorCount);
    public int Dimension { get; }
    public AnnSettings Settings { get; private set; }

    private HnswGraph(IntPtr handle, int dimension, Metric metric, AnnSettings settings)
    {
        _handle = handle;
        _metric = metric;
        Dimension = dimension;
        Settings = settings;
        _slots = new SemaphoreSlim(Slots, Slots);
    }

    /// <summary>An empty graph. Cosine vectors are stored unit length, so inner product ranks them (cheaper than cos).</summary>
    public static HnswGraph Create(int dimension, Metric metric, AnnSettings settings)
    {
        var graph = new HnswGraph(Init(dimension, metric, settings), dimension, metric, settings);
        graph.Reserve(64);
        return graph;
    }

    /// <summary>Whether the graph is still a read-only view of its file (no change made since it was loaded).</summary>
    public bool IsView => _mapping is not null;

    private static IntPtr Init(int dimension, Metric metric, AnnSettings settings)
    {
        settings.Validate();
        var options = new InitOptions
        {
            MetricKind = metric == Metric.L2 ? MetricKind.L2sq : MetricKind.Ip,
            Quantization = settings.Quantization switch { "f16" => ScalarKind.F16, "bf16" => ScalarKind.BF16, _ => ScalarKind.F32 },
            Dimensions = (nuint)dimension,
            Connectivity = (nuint)settings.Connectivity,
            ExpansionAdd = (nuint)settings.ExpansionAdd,
            ExpansionSearch = (nuint)settings.ExpansionSearch,
        };
        IntPtr error = 0;
        var h = usearch_init(&options, &error);
        Check(error, "init");
        // The options struct is the C header's; a layout mismatch would show here rather than as wrong answers.
        if ((int)usearch_dimensions(h, &error) != dimension || (int)usearch_connectivity(h, &error) != settings.Connectivity)
        {
            usearch_free(h, &error);
            throw new InvalidOperationException($"USearch {USearchNative.Version}: the native options layout does not match these bindings");
        }
        return h;
    }

    /// <summary>Live vectors in the graph.</summary>
    public long Size { get { IntPtr e = 0; var n = usearch_size(_handle, &e); Check(e, "size"); return (long)n; } }

    /// <summary>Bytes the graph holds in memory.</summary>
    public long MemoryUsage { get { IntPtr e = 0; var n = usearch_memory_usage(_handle, &e); Check(e, "memory_usage"); return (long)n; } }

    /// <summary>The SIMD code the native library picked on this CPU.</summary>
    public string Isa { get { IntPtr e = 0; var s = usearch_hardware_acceleration(_handle, &e); return Marshal.PtrToStringUTF8(s) ?? ""; } }

    public void SetExpansionSearch(int expansion)
    {
        IntPtr e = 0;
        usearch_change_expansion_search(_handle, (nuint)expansion, &e);
        Check(e, "change_expansion_search");
        Settings = Settings with { ExpansionSearch = expansion };
    }

    public bool Contains(long id) { IntPtr e = 0; bool c = usearch_contains(_handle, (ulong)id, &e); Check(e, "contains"); return c; }

    /// <summary>Grows the capacity to at least <paramref name="capacity"/> vectors (doubling), with our thread slots.</summary>
    public void Reserve(long capacity)
    {
        Materialize();
        IntPtr e = 0;
        long have = (long)usearch_capacity(_handle, &e);
        if (capacity <= have && have > 0) return;
        usearch_reserve(_handle, (nuint)Math.Max(capacity, have * 2), &e);
        Check(e, "reserve");
        usearch_change_threads_add(_handle, (nuint)Slots, &e);
        Check(e, "change_threads_add");
        usearch_change_threads_search(_handle, (nuint)Slots, &e);
        Check(e, "change_threads_search");
    }

    /// <summary>Adds one vector under an id (skipped when the id is already there).</summary>
    public void Add(long id, ReadOnlySpan<float> vector)
    {
        CheckLength(vector.Length);
        if (Contains(id)) return;
        Reserve(Size + 1);
        AddReserved(id, vector);
    }

    /// <summary>Graphs up to this size are built one vector at a time (see <see cref="AddMany"/>).</summary>
    internal const int SequentialPrefix = 20_000;

    /// <summary>
    /// Adds <paramref name="count"/> vectors (capacity reserved first); <paramref name="row"/> gives id and vector. The first
    /// <see cref="SequentialPrefix"/> of a graph go in one at a time, the rest in parallel: concurrent inserts make the graph
    /// depend on thread timing, and on a small graph that can cost a true neighbour even at a high expansion; sequential
    /// inserts give the same graph on every run, and a large graph's parallel tail keeps the build fast.
    /// </summary>
    public void AddMany(int count, Func<int, (long Id, IntPtr Vector)> row, int threads)
    {
        Reserve(Size + count);
        int sequential = (int)Math.Clamp(SequentialPrefix - Size, 0, count);
        for (int i = 0; i < sequential; i++)
        {
            var (id, v) = row(i);
            AddReserved(id, new ReadOnlySpan<float>((void*)v, Dimension));
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(Slots, threads > 0 ? threads : Environment.ProcessorCount) };
        Parallel.For(sequential, count, options, i =>
        {
            var (id, v) = row(i);
            AddReserved(id, new ReadOnlySpan<float>((void*)v, Dimension));
        });
    }

    private void AddReserved(long id, ReadOnlySpan<float> vector)
    {
        IntPtr e = 0;
        _slots.Wait();
        try
        {
            fixed (float* p = vector) usearch_add(_handle, (ulong)id, p, ScalarKind.F32, &e);
        }
        finally { _slots.Release(); }
        Check(e, "add");
    }

    public bool Remove(long id)
    {
        Materialize();
        IntPtr e = 0;
        var n = usearch_remove(_handle, (ulong)id, &e);
        Check(e, "remove");
        return n > 0;
    }

    /// <summary>The up to <paramref name="k"/> nearest ids of one query (a stored-space vector: unit length for cosine),
    /// best first. Returns how many.</summary>
    public int Search(ReadOnlySpan<float> query, int k, Span<ulong> keys, Span<float> distances)
    {
        CheckLength(query.Length);
        if (keys.Length < k || distances.Length < k) throw new ArgumentException("output spans shorter than k");
        IntPtr e = 0;
        nuint n;
        _slots.Wait();
        try
        {
            fixed (float* q = query)
            fixed (ulong* kp = keys)
            fixed (float* dp = distances)
                n = usearch_search(_handle, q, ScalarKind.F32, (nuint)k, kp, dp, &e);
        }
        finally { _slots.Release(); }
        Check(e, "search");
        return (int)n;
    }

    private void CheckLength(int length)
    {
        if (length != Dimension) throw new InputException("vector", "length", $"{Dimension} (the graph's dimension)", length.ToString());
    }

    /// <summary>A graph file's header; files written before quantization existed have none (f32).</summary>
    private sealed record FileHeader(int Dimension, string Metric, int Connectivity, int ExpansionAdd, long Count, string Sha256, string? Quantization = null);

    /// <summary>Bytes moved per read, write or hash step: graph files pass 2 GiB (a 3M × 128 shard's does), which one span cannot hold.</summary>
    internal const int DefaultChunk = 64 << 20;

    /// <summary>Writes the graph atomically (temporary file, then rename), from native memory in chunks.</summary>
    public void Save(string file, int chunk = DefaultChunk)
    {
        IntPtr e = 0;
        nuint length = usearch_serialized_length(_handle, &e);
        Check(e, "serialized_length");
        var bytes = (byte*)NativeMemory.Alloc(length);
        try
        {
            usearch_save_buffer(_handle, bytes, length, &e);
            Check(e, "save");
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            ForEachChunk(bytes, (long)length, chunk, span => sha.AppendData(span));
            var header = JsonSerializer.SerializeToUtf8Bytes(new FileHeader(Dimension, _metric.Name(), Settings.Connectivity, Settings.ExpansionAdd,
                Size, Convert.ToHexStringLower(sha.GetHashAndReset()), Settings.Quantization));
            AtomicFile.Write(file, s =>
            {
                s.Write(Magic);
                Span<byte> n = stackalloc byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(n, header.Length);
                s.Write(n);
                s.Write(header);
                ForEachChunk(bytes, (long)length, chunk, span => s.Write(span));
            });
        }
        finally { NativeMemory.Free(bytes); }
    }

    private delegate void ChunkAction(ReadOnlySpan<byte> chunk);

    private static void ForEachChunk(byte* bytes, long length, int chunk, ChunkAction action)
    {
        for (long at = 0; at < length; at += chunk)
            action(new ReadOnlySpan<byte>(bytes + at, (int)Math.Min(chunk, length - at)));
    }

    /// <summary>
    /// Opens a graph file written by <see cref="Save"/> as a view (see the class summary); throws
    /// <see cref="InvalidDataException"/> when it is damaged (checksum), or was built for another dimension, metric,
    /// connectivity, expansion_add or quantization than <paramref name="settings"/>. expansion_search is not stored by
    /// USearch: it is set from <paramref name="settings"/>. The file is read in chunks (graph files pass 2 GiB).
    /// </summary>
    public static HnswGraph Load(string file, int dimension, Metric metric, AnnSettings settings, int chunk = DefaultChunk)
    {
        FileHeader h;
        long offset, length;
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        {
            Span<byte> prefix = stackalloc byte[Magic.Length + 4];
            if (stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false) < prefix.Length || !prefix[..Magic.Length].SequenceEqual(Magic))
                throw new InvalidDataException("not an HNSW graph file");
            int headerLength = BinaryPrimitives.ReadInt32LittleEndian(prefix[Magic.Length..]);
            if (headerLength <= 0 || headerLength > stream.Length - prefix.Length) throw new InvalidDataException("truncated header");
            var headerBytes = new byte[headerLength];
            stream.ReadExactly(headerBytes);
            try { h = JsonSerializer.Deserialize<FileHeader>(headerBytes) ?? throw new InvalidDataException("damaged header"); }
            catch (JsonException ex) { throw new InvalidDataException("damaged header", ex); }
            (offset, length) = (stream.Position, stream.Length - stream.Position);
        }
        var quantization = h.Quantization ?? "f32";
        if (h.Dimension != dimension || h.Metric != metric.Name() || h.Connectivity != settings.Connectivity || h.ExpansionAdd != settings.ExpansionAdd
            || quantization != settings.Quantization)
            throw new InvalidDataException($"built with other settings (dimension {h.Dimension}, {h.Metric}, connectivity {h.Connectivity}, " +
                $"expansion_add {h.ExpansionAdd}, quantization {quantization})");
        if (length <= 0) throw new InvalidDataException("no graph after the header");
        var mapping = new MappedGraph(file, offset, length);
        HnswGraph? g = null;
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            ForEachChunk(mapping.Start, length, chunk, span => sha.AppendData(span));
            if (Convert.ToHexStringLower(sha.GetHashAndReset()) != h.Sha256) throw new InvalidDataException("checksum mismatch (damaged)");
            g = new HnswGraph(Init(dimension, metric, settings), dimension, metric, settings);
            IntPtr e = 0;
            usearch_view_buffer(g._handle, mapping.Start, (nuint)length, &e);
            Check(e, "view");
            usearch_change_threads_search(g._handle, (nuint)Slots, &e);  // searches: as many at once as our slots
            Check(e, "change_threads_search");
            (g._mapping, mapping) = (mapping, null);
            g.SetExpansionSearch(settings.ExpansionSearch);
            if (g.Size != h.Count) throw new InvalidDataException($"holds {g.Size} vectors, its header says {h.Count}");
            return g;
        }
        catch
        {
            g?.Dispose();
            throw;
        }
        finally { mapping?.Dispose(); }
    }

    /// <summary>Turns a view into a graph in memory that takes changes (a copy of the mapped bytes); nothing for one already in memory.
    /// The owner calls changes under its write lock, so no search runs while the handle is swapped.</summary>
    private void Materialize()
    {
        if (_mapping is not { } mapping) return;
        var h = Init(Dimension, _metric, Settings);
        try
        {
            IntPtr e = 0;
            usearch_load_buffer(h, mapping.Start, (nuint)mapping.Length, &e);
            Check(e, "load");
            // Loading replaces the limits: reserve again for our thread slots, and restore expansion_search.
            long cap = (long)usearch_capacity(h, &e);
            usearch_reserve(h, (nuint)Math.Max(64, cap), &e);
            Check(e, "reserve");
            usearch_change_threads_add(h, (nuint)Slots, &e);
            usearch_change_threads_search(h, (nuint)Slots, &e);
            Check(e, "change_threads");
            usearch_change_expansion_search(h, (nuint)Settings.ExpansionSearch, &e);
            Check(e, "change_expansion_search");
        }
        catch
        {
            IntPtr e = 0;
            usearch_free(h, &e);
            throw;
        }
        IntPtr e2 = 0;
        usearch_free(_handle, &e2);
        _handle = h;
        _mapping = null;
        mapping.Dispose();
    }

    /// <summary>A graph file's USearch bytes, mapped read-only.</summary>
    private sealed class MappedGraph : IDisposable
    {
        private readonly System.IO.MemoryMappedFiles.MemoryMappedFile _file;
        private readonly System.IO.MemoryMappedFiles.MemoryMappedViewAccessor _view;
        private byte* _base;

        public byte* Start { get; }
        public long Length { get; }

        public MappedGraph(string path, long offset, long length)
        {
            _file = System.IO.MemoryMappedFiles.MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, System.IO.MemoryMappedFiles.MemoryMappedFileAccess.Read);
            try
            {
                _view = _file.CreateViewAccessor(0, 0, System.IO.MemoryMappedFiles.MemoryMappedFileAccess.Read);
                _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
            }
            catch
            {
                _view?.Dispose();
                _file.Dispose();
                throw;
            }
            Start = _base + _view.PointerOffset + offset;
            Length = length;
        }

        public void Dispose()
        {
            if (_base != null) { _view.SafeMemoryMappedViewHandle.ReleasePointer(); _base = null; }
            _view.Dispose();
            _file.Dispose();
        }
    }

    public void Dispose()
    {
        if (_handle != IntPtr.Zero)
        {
            IntPtr e = 0;
            usearch_free(_handle, &e);
            _handle = IntPtr.Zero;
        }
        _mapping?.Dispose();  // after the handle: USearch reads a view's pages until it is freed
        _mapping = null;
        _slots.Dispose();
        GC.SuppressFinalize(this);
    }

    ~HnswGraph()
    {
        if (_handle != IntPtr.Zero) { IntPtr e = 0; usearch_free(_handle, &e); }
    }
}
