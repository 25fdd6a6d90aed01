namespace Micar.Spec;

/// <summary>The image side of a <see cref="ModelSpec"/> (JSON/YAML key <c>vision</c>).</summary>
public sealed record VisionSpec
{
    /// <summary>ResNet depth of the trunk: 18, 34, 50, 101 (official) or 152.</summary>
    public int Depth { get; init; } = 101;

    /// <summary>
    /// Path of torchvision-keyed ImageNet weights for the trunk (nothing is downloaded); null = random
    /// initialisation. The official model starts from <c>ResNet101_Weights.IMAGENET1K_V2</c>.
    /// </summary>
    public string? PretrainedWeights { get; init; }

    /// <summary>Side of the square input image in pixels (224 in the official pipeline).</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary>d_v: width of the image tokens (the FPN width; with <see cref="UseMsve"/> false, the trunk's output channels).</summary>
    public int DV { get; init; } = 2048;

    /// <summary>Side of the pooled token grid (7 → N = 49 image tokens).</summary>
    public int Grid { get; init; } = 7;

    /// <summary>True for the multiscale encoder (FPN + fusion); false for the "w/o MSVE" ablation (pooled C5).</summary>
    public bool UseMsve { get; init; } = true;
}
