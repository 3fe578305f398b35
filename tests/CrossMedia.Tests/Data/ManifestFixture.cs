namespace CrossMedia.Tests.Data;

/// <summary>
/// A small valid manifest dataset in a temporary folder: classes cat/dog/bird, medium "image"
/// from a CSV with labels by name and a split file, medium "sound" from a list of files, and
/// class embeddings from a tiny word-vector file. Tests break one piece at a time.
/// </summary>
internal sealed class ManifestFixture : IDisposable
{
    public TempDir Dir { get; } = new();
    public string Manifest => Path.Combine(Dir.Path, "data.json");

    public ManifestFixture()
    {
        Dir.File("features.csv", "f1,f2\n1,0\n0,1\n1,1\n2,0\n0,2\n2,2\n");
        Dir.File("labels.txt", "cat\ndog\nbird\ncat\ndog\nbird\n");
        Dir.File("split.txt", "train\ntrain\ntrain\ntest\ntest\ntest\n");
        Dir.File("vectors.txt", "cat 1 0\ndog 0 1\nbird 1 1\n");
        foreach (var f in new[] { "a.wav", "b.wav", "c.wav", "d.wav" }) Dir.File(Path.Combine("sounds", f), "x");
        Dir.File("sounds.list", "a.wav 0\nb.wav 1\nc.wav 2\nd.wav 2\n");
        Dir.File("sound_split.txt", "0\n0\n2\n2\n");
        Write(Json());
    }

    public string Json(string image = """
        "features": "features.csv", "labels": "labels.txt", "split": "split.txt"
        """) => $$"""
        {
          "name": "tiny",
          "classes": ["cat", "dog", "bird"],
          "class_embeddings": { "word_vectors": "vectors.txt" },
          "media": {
            "image": { {{image}} },
            "sound": { "files": { "list": "sounds.list", "root": "sounds" }, "split": "sound_split.txt" }
          }
        }
        """;

    public void Write(string json) => Dir.File("data.json", json);

    public void Dispose() => Dir.Dispose();
}
