namespace Micar.Data;

/// <summary>
/// The official two-stage split: <c>train, rest = train_test_split(rows, FirstTestSize, FirstSeed)</c>, then
/// <c>val, test = train_test_split(rest, SecondTestSize, SecondSeed)</c>.
/// </summary>
/// <param name="FirstTestSize">Fraction held out from training in the first stage.</param>
/// <param name="FirstSeed">Random state of the first stage.</param>
/// <param name="SecondTestSize">Fraction of the held-out rows that become the test split.</param>
/// <param name="SecondSeed">Random state of the second stage.</param>
public sealed record SplitPlan(double FirstTestSize, uint FirstSeed, double SecondTestSize, uint SecondSeed)
{
    /// <summary>COVCTR (and each MM-Retinal modality): 0.2 / 9876, then 0.5 / 9876.</summary>
    public static SplitPlan Covctr { get; } = new(0.2, 9876, 0.5, 9876);

    /// <summary>MM-Retinal, applied to CFP, FFA and OCT separately: 0.2 / 9876, then 0.5 / 9876.</summary>
    public static SplitPlan MmRetinal { get; } = new(0.2, 9876, 0.5, 9876);

    /// <summary>PEIR Gross: 0.3 / 1234, then 0.66 / 1234.</summary>
    public static SplitPlan Pgross { get; } = new(0.3, 1234, 0.66, 1234);

    /// <summary>Splits rows <c>0 … n−1</c> by this plan.</summary>
    public ThreeWaySplit Apply(int n)
    {
        var first = TrainTestSplit.Split(n, FirstTestSize, FirstSeed);
        var second = TrainTestSplit.Split(first.Test.Length, SecondTestSize, SecondSeed);
        return new ThreeWaySplit(
            first.Train,
            second.Train.Select(i => first.Test[i]).ToArray(),
            second.Test.Select(i => first.Test[i]).ToArray());
    }
}
