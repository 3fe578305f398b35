namespace CrossMedia.Models.Weights;

/// <summary>One weight array of a Keras model in Keras layout (conv kernels [kh, kw, in, out]).</summary>
/// <param name="Shape">Dimensions.</param>
/// <param name="Values">Row-major float32 values.</param>
internal sealed record KerasWeight(int[] Shape, float[] Values);
