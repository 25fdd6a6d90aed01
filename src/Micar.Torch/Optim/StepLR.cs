namespace Micar.Torch.Optim;

/// <summary>Multiplies every group's learning rate by <see cref="Gamma"/> every <see cref="StepSize"/> calls of
/// <see cref="Step"/> (PyTorch's <c>StepLR</c>, chainable form, stepped once per epoch by the official recipe).</summary>
public sealed class StepLR
{
    readonly Optimizer _optimizer;

    /// <summary>Creates the schedule.</summary>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1)
    {
        if (stepSize < 1) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "StepLR step size must be ≥ 1");
        _optimizer = optimizer;
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>Period in steps.</summary>
    public int StepSize { get; }
    /// <summary>Multiplicative decay.</summary>
    public double Gamma { get; }
    /// <summary>Number of <see cref="Step"/> calls so far (PyTorch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; set; }

    /// <summary>Advances the schedule by one epoch.</summary>
    public void Step()
    {
        LastEpoch++;
        if (LastEpoch % StepSize == 0)
            foreach (var g in _optimizer.Groups) g.Lr *= Gamma;
    }

    /// <summary>Current learning rates, one per group.</summary>
    public double[] LearningRates => _optimizer.Groups.Select(g => g.Lr).ToArray();
}
