namespace CrossMedia.Data;

/// <summary>What a <see cref="DatasetProblem"/> is about, so a caller can escalate one kind.</summary>
public enum ProblemKind
{
    EmptyMedium,
    NonFiniteValues,
    ClassWithoutTestItems,
    ClassWithoutTrainItems,
    NoTestItems,
    NoTrainItems,
    PairedMismatch,
    MissingWords,
}
