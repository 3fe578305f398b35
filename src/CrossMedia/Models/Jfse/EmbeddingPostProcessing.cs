namespace CrossMedia.Models.Jfse;

/// <summary>
/// What is done to the regressors' outputs before retrieval — the four variants the JFSE reference
/// code compares. The choice is made on validation data and stored with the model.
/// </summary>
public enum EmbeddingPostProcessing
{
    /// <summary>The regressor output as it is.</summary>
    Raw,
    /// <summary>Softmax over each embedding's components.</summary>
    Softmax,
    /// <summary>Per-component min-max scaling, fitted on the training embeddings (the reference fits it on the test set).</summary>
    MinMax,
    /// <summary>Softmax, then min-max scaling fitted on the training embeddings.</summary>
    Both,
}
