using CrossMedia.Core;
using CrossMedia.Data.Formats;

namespace CrossMedia.Data;

/// <summary>
/// The Wikipedia benchmark (Rasiwasia et al., ACM MM 2010) from &lt;data-root&gt;/wikipedia:
/// raw_features.mat (I_tr/I_te 128-d SIFT bag-of-words, T_tr/T_te 10-d LDA topics), the list files
/// trainset_txt_img_cat.list / testset_txt_img_cat.list (text_id, image_id, label 1..10, same row
/// order as the matrices) and categories.list. Paired media "image" and "text", labels 0..9,
/// the standard 2,173 train / 693 test split. Class embeddings from GloVe
/// (&lt;data-root&gt;/glove/glove.6B.100d.subset.txt or the --word-vectors file) when present.
/// </summary>
public static class WikipediaDataset
{
    public const string DefaultWordVectors = "glove/glove.6B.100d.subset.txt";

    public static (Dataset Dataset, ClassEmbeddingResult? Embeddings) Load(string dataRoot, string? wordVectors)
    {
        var dir = Path.Combine(dataRoot, "wikipedia");
        if (!Directory.Exists(dir)) throw new InputException(dir, "", "the Wikipedia dataset folder under the data root", "no such folder");
        string mat = Path.Combine(dir, "raw_features.mat"), trainList = Path.Combine(dir, "trainset_txt_img_cat.list"),
            testList = Path.Combine(dir, "testset_txt_img_cat.list"), categories = Path.Combine(dir, "categories.list");
        var checksums = new Dictionary<string, string>();
        foreach (var f in new[] { mat, trainList, testList, categories })
        {
            DataFile.Require(f, "a file of the Wikipedia dataset");
            checksums[Path.GetRelativePath(dataRoot, f)] = Checksum.Sha256File(f);
        }

        var classNames = File.ReadLines(categories).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (classNames.Length == 0) throw new InputException(categories, "", "class names, one per line", "an empty file");

        var vars = MatFile.Read(mat);
        Matrix Var(string name) => (vars.FirstOrDefault(v => v.Name == name)
            ?? throw new InputException(mat, "variable", $"a variable named '{name}'", string.Join(", ", vars.Select(v => v.Name)))).ToMatrix(mat);
        var parts = new[] { (Split.Train, trainList, "_tr"), (Split.Test, testList, "_te") };

        var labels = new List<int>();
        var splits = new List<Split>();
        var textIds = new List<string>();
        var imageIds = new List<string>();
        var image = new List<Matrix>();
        var text = new List<Matrix>();
        foreach (var (split, list, suffix) in parts)
        {
            var rows = ListFile.ReadColumns(list, 3);
            Matrix i = Var("I" + suffix), t = Var("T" + suffix);
            if (i.Rows != rows.Count) throw new InputException(mat, "I" + suffix, $"{rows.Count} rows (one per line of {Path.GetFileName(list)})", $"{i.Rows}");
            if (t.Rows != rows.Count) throw new InputException(mat, "T" + suffix, $"{rows.Count} rows (one per line of {Path.GetFileName(list)})", $"{t.Rows}");
            foreach (var (columns, line) in rows)
            {
                if (!int.TryParse(columns[2], out var label) || label < 1 || label > classNames.Length)
                    throw new InputException(list, $"line {line} label", $"a class number in 1..{classNames.Length}", InputException.Excerpt(columns[2]));
                labels.Add(label - 1);
                splits.Add(split);
                textIds.Add(columns[0]);
                imageIds.Add(columns[1]);
            }
            image.Add(i);
            text.Add(t);
        }
        var imageFeatures = Matrix.VStack(image);
        var textFeatures = Matrix.VStack(text);
        if (imageFeatures.Cols != 128 || textFeatures.Cols != 10)
            throw new InputException(mat, "dimensions", "128-d image and 10-d text features", $"{imageFeatures.Cols}-d and {textFeatures.Cols}-d");

        var media = new[]
        {
            new Medium("image", imageFeatures, null, labels.ToArray(), splits.ToArray(), imageIds.ToArray()),
            new Medium("text", textFeatures, null, labels.ToArray(), splits.ToArray(), textIds.ToArray()),
        };

        ClassEmbeddingResult? embeddings = null;
        var glove = wordVectors ?? Path.Combine(dataRoot, DefaultWordVectors);
        if (wordVectors is not null || File.Exists(glove))
        {
            embeddings = ClassEmbeddings.FromWordVectors(classNames, glove);
            checksums[wordVectors is null ? DefaultWordVectors : glove] = Checksum.Sha256File(glove);
        }
        return (new Dataset("wikipedia", media, classNames, embeddings?.Embeddings, paired: true, checksums), embeddings);
    }
}
