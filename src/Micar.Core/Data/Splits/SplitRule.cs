using System.Globalization;

namespace Micar.Data;

/// <summary>
/// How a dataset's rows become the train, val and test splits: either each <see cref="SourceGroup"/> is split by a
/// <see cref="SplitPlan"/> and the parts are concatenated in group order (<see cref="Planned"/>), or the source
/// already gives the splits as the groups <c>train</c>, <c>val</c>, <c>test</c> (<see cref="Given"/>).
/// </summary>
public sealed record SplitRule
{
    private SplitRule(SplitPlan? plan, string description) => (Plan, Description) = (plan, description);

    /// <summary>The plan applied to each group, or null when the source gives the splits.</summary>
    public SplitPlan? Plan { get; }

    /// <summary>What the rule does, for help texts.</summary>
    public string Description { get; }

    /// <summary>The group names a <see cref="Given"/> rule expects, in this order.</summary>
    public static IReadOnlyList<string> GivenGroups { get; } = ["train", "val", "test"];

    /// <summary>Each group is split by <paramref name="plan"/>; train, val and test are the groups' parts concatenated
    /// in group order.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="groups">What the groups are, when there are several (appended to <see cref="Description"/>).</param>
    public static SplitRule Planned(SplitPlan plan, string? groups = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        string description = string.Create(CultureInfo.InvariantCulture,
            $"train_test_split {plan.FirstTestSize} / {plan.FirstSeed}, then {plan.SecondTestSize} / {plan.SecondSeed}");
        return new(plan, groups is null ? description : $"{description}, {groups}");
    }

    /// <summary>The source gives the splits: the groups must be <c>train</c>, <c>val</c>, <c>test</c>, in this order,
    /// and keep their row order.</summary>
    public static SplitRule Given(string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        return new(null, description);
    }

    /// <summary>Splits the rows of <paramref name="read"/> by this rule.</summary>
    /// <param name="read">The rows read by the recipe.</param>
    /// <param name="dataset">The recipe's name, for the message of a reader that broke the rule.</param>
    /// <exception cref="InvalidOperationException">A <see cref="Given"/> rule got groups other than
    /// <c>train</c>, <c>val</c>, <c>test</c> (a fault of the recipe's reader).</exception>
    /// <exception cref="ArgumentException">A group is too small for the plan (as scikit-learn raises).</exception>
    internal SplitSource Apply(SourceRead read, string dataset)
    {
        ArgumentNullException.ThrowIfNull(read);
        var all = read.Groups.SelectMany(g => g.Rows).ToList();
        if (Plan is null)
        {
            var names = read.Groups.Select(g => g.Name).ToList();
            if (!names.SequenceEqual(GivenGroups, StringComparer.Ordinal))
                throw new InvalidOperationException(
                    $"dataset '{dataset}': its split rule takes the splits from the source, so its reader must return the groups " +
                    $"{string.Join(", ", GivenGroups)} in this order, but it returned [{string.Join(", ", names)}]");
            return new SplitSource(all, read.Groups[0].Rows, read.Groups[1].Rows, read.Groups[2].Rows, read.DroppedBeforeSplit);
        }
        var train = new List<SourceRow>();
        var val = new List<SourceRow>();
        var test = new List<SourceRow>();
        foreach (var group in read.Groups)
        {
            var split = SplitSource.FromPlan(group.Rows, Plan, []);
            train.AddRange(split.Train);
            val.AddRange(split.Val);
            test.AddRange(split.Test);
        }
        return new SplitSource(all, train, val, test, read.DroppedBeforeSplit);
    }
}
