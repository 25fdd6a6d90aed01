namespace Micar.Layers;

/// <summary>How a named tensor of a model behaves, as in the reference state-dict TSVs.</summary>
public enum ParamKind
{
    /// <summary>A trainable parameter (<c>nn.Parameter</c>, requires grad).</summary>
    Param,

    /// <summary>A parameter that never receives a gradient (the RoPE <c>freqs</c>): saved and counted, never updated.</summary>
    FrozenParam,

    /// <summary>A persistent buffer (BatchNorm statistics, the sinusoidal table): saved, not counted as a parameter.</summary>
    Buffer,
}

/// <summary>Conversions of <see cref="ParamKind"/>.</summary>
public static class ParamKinds
{
    /// <summary>The reference TSV spelling: <c>param</c>, <c>frozen-param</c> or <c>buffer</c>.</summary>
    public static string ToTsv(this ParamKind kind) => kind switch
    {
        ParamKind.Param => "param",
        ParamKind.FrozenParam => "frozen-param",
        ParamKind.Buffer => "buffer",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown parameter kind"),
    };

    /// <summary>True for the kinds PyTorch's <c>model.parameters()</c> yields (params and frozen params).</summary>
    public static bool IsParameter(this ParamKind kind) => kind is ParamKind.Param or ParamKind.FrozenParam;
}
