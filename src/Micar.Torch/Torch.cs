namespace Micar.Torch;

/// <summary>Entry point of the binding: version, threads, devices, creation functions.</summary>
public static partial class Torch
{
    /// <summary>Version of the libtorch the native shim was built against, e.g. <c>1.13.1</c>.</summary>
    public static string Version => "unbuilt";
}
