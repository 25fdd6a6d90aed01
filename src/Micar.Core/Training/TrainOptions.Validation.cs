namespace Micar.Training;

/// <summary>Raised by <see cref="TrainOptions.Validate"/> before a run does any work; the message names every bad option.</summary>
public sealed class TrainOptionsException(IReadOnlyList<string> problems)
    : Exception(string.Join("; ", problems))
{
    /// <summary>One line per bad option, e.g. <c>Epochs (--epochs) must be at least 1, got 0</c>.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}

public sealed partial record TrainOptions
{
    /// <summary>Checks every option against its range and the others (e.g. <see cref="CacheFeatures"/> needs
    /// <see cref="FreezeVision"/>), with the spec's values where an option is not given; with
    /// <paramref name="vocabularySize"/>, also that the validation beam fits the vocabulary.</summary>
    /// <exception cref="TrainOptionsException">Some option is out of range; nothing has been read or written.</exception>
    public void Validate(int? vocabularySize = null)
    {
        var problems = new List<string>();
        void AtLeast(long? value, long min, string name, string? option)
        {
            if (value is { } v && v < min) problems.Add($"{name}{(option is null ? "" : $" ({option})")} must be at least {min}, got {v}");
        }
        var tr = Spec.Training;
        if (string.IsNullOrWhiteSpace(DataDir)) problems.Add("DataDir (--data) is empty");
        if (string.IsNullOrWhiteSpace(RunDir)) problems.Add("RunDir (--out) is empty");
        AtLeast(Epochs ?? tr.Epochs, 1, "Epochs", "--epochs");
        AtLeast(BatchSize ?? tr.BatchSize, 1, "BatchSize", "--batch-size");
        AtLeast(Patience ?? tr.Patience, 0, "Patience", "--patience");
        AtLeast(MaxTrainRows, 1, "MaxTrainRows", "--max-train-rows");
        AtLeast(MaxValRows, 1, "MaxValRows", null);
        AtLeast(StopAfterEpochs, 1, "StopAfterEpochs", null);
        int beam = ValidationBeam ?? tr.BeamWidth;
        AtLeast(beam, 1, "ValidationBeam", "--val-beam");
        if (vocabularySize is { } v && beam > v)
            problems.Add($"ValidationBeam (--val-beam) {beam} is larger than the vocabulary ({v} tokens)");
        if (GradClip is { } clip && !(double.IsFinite(clip) && clip > 0))
            problems.Add($"GradClip (--grad-clip) must be a finite number above 0, got {clip}");
        if (Resume && Overwrite)
            problems.Add("Resume (--resume) and Overwrite (--overwrite) exclude each other: continue the run, or start it again");
        if (CacheFeatures && !FreezeVision)
            problems.Add("CacheFeatures (--cache-features) needs FreezeVision (--freeze-vision): image features can only be cached when the vision encoder is frozen");
        if (problems.Count > 0) throw new TrainOptionsException(problems);
    }
}
