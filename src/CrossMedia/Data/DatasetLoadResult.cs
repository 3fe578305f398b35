namespace CrossMedia.Data;

/// <summary>A loaded dataset with what loading found out about it.</summary>
/// <param name="Dataset">The dataset (validation split already carved when asked for).</param>
/// <param name="Source">The built-in name or the manifest path.</param>
/// <param name="ClassEmbeddingSource">Where the class embeddings came from (file or word vectors), or null.</param>
/// <param name="MissingWords">Class-name words the word vectors lacked.</param>
/// <param name="Problems">Warnings found by <see cref="DatasetValidator"/> (errors stop loading).</param>
/// <param name="UnselectedMedia">Media of the dataset that <see cref="DatasetLoadOptions.Media"/> left out (null: none).</param>
public sealed record DatasetLoadResult(Dataset Dataset, string Source, string? ClassEmbeddingSource,
    IReadOnlyList<string> MissingWords, DatasetProblems Problems, IReadOnlyList<string>? UnselectedMedia = null);
