namespace Micar.Data;

/// <summary>Row indices of a two-way split, each in permutation order.</summary>
/// <param name="Train">Indices of the training part.</param>
/// <param name="Test">Indices of the test part.</param>
public sealed record TwoWaySplit(int[] Train, int[] Test);
