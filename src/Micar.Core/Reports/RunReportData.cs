namespace Micar.Reports;

/// <summary>Everything a run report shows, as plain data filled from a training log and an evaluation.</summary>
public sealed record RunReportData
{
    /// <summary>Name of the run (page title).</summary>
    public required string RunName { get; init; }

    /// <summary>Spec summary (preformatted text, e.g. the output of <c>micar describe</c>).</summary>
    public string SpecSummary { get; init; } = "";

    /// <summary>The training log, one row per epoch, in order.</summary>
    public EpochRow[] Epochs { get; init; } = [];

    /// <summary>Expert load per epoch.</summary>
    public ExpertLoadEpoch[] ExpertLoad { get; init; } = [];

    /// <summary>Final metrics, one entry per system, shown side by side.</summary>
    public SystemMetrics[] FinalMetrics { get; init; } = [];

    /// <summary>Test cases with generated and reference reports.</summary>
    public GalleryItem[] Gallery { get; init; } = [];

    /// <summary>Per-step training losses: (epoch, step, steps in that epoch, loss) — charted over the epoch curves.</summary>
    public StepRow[] Steps { get; init; } = [];

    /// <summary>Another run's epochs drawn over this one's validation curves (e.g. the text-only baseline), or null.</summary>
    public BaselineRun? Baseline { get; init; }

    /// <summary>Checks the arrays for missing entries and the expert-load shapes.</summary>
    /// <exception cref="ReportDataException">The first problem, naming its field path.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RunName))
            throw new ReportDataException("RunName", "is empty");
        DataShape.Length(Epochs, -1, "Epochs");
        for (var i = 0; i < Epochs.Length; i++)
        {
            var row = Epochs[i] ?? throw new ReportDataException($"Epochs[{i}]", "is null");
            if (row.LearningRates is null)
                throw new ReportDataException($"Epochs[{i}].LearningRates", "is missing");
            if (row.Metrics is null)
                throw new ReportDataException($"Epochs[{i}].Metrics", "is missing");
        }
        DataShape.Length(ExpertLoad, -1, "ExpertLoad");
        int layers = -1, experts = -1;
        for (var i = 0; i < ExpertLoad.Length; i++)
        {
            var entry = ExpertLoad[i] ?? throw new ReportDataException($"ExpertLoad[{i}]", "is null");
            (layers, experts) = DataShape.Matrix(entry.Layers, layers, experts, $"ExpertLoad[{i}].Layers");
        }
        DataShape.Length(FinalMetrics, -1, "FinalMetrics");
        for (var i = 0; i < FinalMetrics.Length; i++)
        {
            var system = FinalMetrics[i] ?? throw new ReportDataException($"FinalMetrics[{i}]", "is null");
            if (string.IsNullOrWhiteSpace(system.System))
                throw new ReportDataException($"FinalMetrics[{i}].System", "is empty");
            if (system.Values is null)
                throw new ReportDataException($"FinalMetrics[{i}].Values", "is missing");
        }
        DataShape.Length(Gallery, -1, "Gallery");
        for (var i = 0; i < Gallery.Length; i++)
        {
            var item = Gallery[i] ?? throw new ReportDataException($"Gallery[{i}]", "is null");
            if (string.IsNullOrWhiteSpace(item.ImagePath))
                throw new ReportDataException($"Gallery[{i}].ImagePath", "is empty");
            DataShape.Length(item.ExplainFigures, -1, $"Gallery[{i}].ExplainFigures");
        }
    }
}
