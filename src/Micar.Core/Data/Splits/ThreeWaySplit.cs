namespace Micar.Data;

/// <summary>Row indices (into the original rows) of a train/validation/test split, each part in the order the
/// official preprocessor writes it.</summary>
/// <param name="Train">Training rows.</param>
/// <param name="Val">Validation rows.</param>
/// <param name="Test">Test rows.</param>
public sealed record ThreeWaySplit(int[] Train, int[] Val, int[] Test);
