namespace Micar.Reports;

/// <summary>One training step of a run report.</summary>
/// <param name="Epoch">Epoch, 1-based.</param>
/// <param name="Step">Step within the epoch, 1-based.</param>
/// <param name="Steps">Steps in that epoch.</param>
/// <param name="Loss">Training loss of the step's batch.</param>
/// <param name="Ce">Its cross-entropy part.</param>
public sealed record StepRow(int Epoch, int Step, int Steps, double Loss, double Ce)
{
    /// <summary>Position on an epoch axis: epoch − 1 + step / steps.</summary>
    public double X => Epoch - 1 + (double)Step / Math.Max(1, Steps);
}

/// <summary>A run drawn over another's validation curves.</summary>
/// <param name="Name">Legend name, e.g. "text only".</param>
/// <param name="Epochs">Its epochs.</param>
public sealed record BaselineRun(string Name, EpochRow[] Epochs);
