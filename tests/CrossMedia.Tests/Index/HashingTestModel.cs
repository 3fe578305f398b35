using System.Text;
using CrossMedia.Core;
using CrossMedia.Data;
using CrossMedia.Models;

namespace CrossMedia.Tests.Index;

/// <summary>
/// Test double registered only in tests: embeds text by hashed character trigrams through a fixed
/// random projection. Text files are embedded by their content; other media files by their file
/// name (so "red_bird.png" lies near the text "red bird"); the "features" medium (6-d vectors) by a
/// fixed linear map; free text and text bytes like a text file's content. Writes a model.json so it has a directory identity.
/// </summary>
internal sealed class HashingTestModel(int dimension = 16, bool acceptsFiles = true) : IEmbeddingModel
{
    private const int Buckets = 64;
    public const int FeatureDimension = 6;
    private readonly float[] projection = RandomMatrix(Buckets, dimension, 7);
    private readonly float[] featureMap = RandomMatrix(FeatureDimension, dimension, 11);

    public string Method => acceptsFiles ? "hashing-test" : "features-test";
    public int EmbeddingDimension => dimension;

    public IReadOnlyList<MediumSpec> Media => acceptsFiles
        ? [new("text", 0, true), new("image", 0, true), new("audio", 0, true), new("video", 0, true), new("features", FeatureDimension, false)]
        : [new("image", 128, false), new("text", 10, false)];

    public Matrix Embed(EmbeddingInput input, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var m = new Matrix(input.Count, dimension);
        for (int i = 0; i < input.Count; i++)
        {
            if (input.Features is { } f)
            {
                if (!acceptsFiles || input.Medium != "features" || f.Cols != FeatureDimension)
                    throw new InputException(input.Medium, "features", "6-d features of medium 'features'", $"{f.Cols}-d {input.Medium}");
                for (int j = 0; j < dimension; j++)
                    for (int d = 0; d < FeatureDimension; d++) m[i, j] += f[i, d] * featureMap[d * dimension + j];
                continue;
            }
            if (!acceptsFiles) throw new InputException(input.Medium, "items", "feature vectors", "files");
            var source = input.Sources![i];
            var text = input.Medium != "text" ? Path.GetFileNameWithoutExtension(source.Name).Replace('_', ' ')
                : source.Text ?? (source.Bytes is { } b ? new StreamReader(new MemoryStream(b)).ReadToEnd() : File.ReadAllText(source.Name));
            TextVector(text).CopyTo(m.Row(i));
        }
        progress?.Report(input.Count);
        return m;
    }

    public float[] TextVector(string text)
    {
        var counts = new float[Buckets];
        var t = " " + text.ToLowerInvariant() + " ";
        for (int i = 0; i + 3 <= t.Length; i++)
            counts[(int)((uint)StableHash(t.AsSpan(i, 3)) % Buckets)] += 1;
        var v = new float[dimension];
        for (int b = 0; b < Buckets; b++)
            for (int j = 0; j < dimension; j++) v[j] += counts[b] * projection[b * dimension + j];
        return v;
    }

    private static int StableHash(ReadOnlySpan<char> s)
    {
        unchecked
        {
            int h = 17;
            foreach (var c in s) h = h * 31 + c;
            return h;
        }
    }

    private static float[] RandomMatrix(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var m = new float[rows * cols];
        for (int i = 0; i < m.Length; i++) m[i] = (float)(rng.NextDouble() * 2 - 1);
        return m;
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "model.json"), $"{{\"method\": \"{Method}\", \"dimension\": {dimension}}}");
    }

    public void Dispose() { }

    /// <summary>A folder of tiny (real, decodable) media: text files, and image/audio/video files named for what they show.</summary>
    public static string MakeMediaFolder(string root)
    {
        var birds = Directory.CreateDirectory(Path.Combine(root, "birds")).FullName;
        var music = Directory.CreateDirectory(Path.Combine(root, "music")).FullName;
        File.WriteAllText(Path.Combine(birds, "robin.txt"), "A red robin bird sings in the garden.");
        File.WriteAllText(Path.Combine(music, "drums.txt"), "Loud drums and a bass guitar play rock music.");
        File.WriteAllBytes(Path.Combine(birds, "red_bird.png"), TinyPng());
        File.WriteAllBytes(Path.Combine(music, "guitar_music.png"), TinyPng());
        File.WriteAllBytes(Path.Combine(birds, "bird_song.wav"), TinyWav());
        File.WriteAllBytes(Path.Combine(music, "rock_drums.wav"), TinyWav());
        CrossMedia.Media.VideoEncoder.WriteMp4(Path.Combine(birds, "flying_bird.mp4"), TinyFrames(), 10);
        File.WriteAllText(Path.Combine(root, "notes.md"), "Unsorted notes about birds and music.");
        File.WriteAllText(Path.Combine(root, "ignored.xyz"), "not media");
        return root;
    }

    /// <summary>A 24×24 gradient PNG.</summary>
    public static byte[] TinyPng()
    {
        using var bitmap = new SkiaSharp.SKBitmap(24, 24);
        for (int y = 0; y < 24; y++)
            for (int x = 0; x < 24; x++)
                bitmap.SetPixel(x, y, new SkiaSharp.SKColor((byte)(x * 10), (byte)(y * 10), 160));
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Four 16×16 frames of a grey ramp.</summary>
    private static CrossMedia.Media.RgbImage[] TinyFrames() => Enumerable.Range(0, 4).Select(i =>
    {
        var frame = new CrossMedia.Media.RgbImage(16, 16);
        Array.Fill(frame.Pixels, 40f * i);
        return frame;
    }).ToArray();

    /// <summary>0.1 s of a 440 Hz tone as 16-bit mono PCM WAV.</summary>
    public static byte[] TinyWav()
    {
        const int rate = 8000, n = 800;
        var ms = new MemoryStream();
        var w = new BinaryWriter(ms, Encoding.ASCII);
        w.Write("RIFF"u8); w.Write(36 + n * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(n * 2);
        for (int i = 0; i < n; i++) w.Write((short)(8000 * Math.Sin(2 * Math.PI * 440 * i / rate)));
        return ms.ToArray();
    }
}
