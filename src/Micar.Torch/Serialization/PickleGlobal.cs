namespace Micar.Torch.Serialization;

/// <summary>
/// A reference to a Python global (<c>module.name</c>) found in a pickle. It is only a name: nothing is
/// imported or called.
/// </summary>
/// <param name="Module">The module, e.g. <c>torch._utils</c>.</param>
/// <param name="Name">The name inside the module, e.g. <c>_rebuild_tensor_v2</c>.</param>
public sealed record PickleGlobal(string Module, string Name)
{
    /// <summary>The dotted name, e.g. <c>collections.OrderedDict</c>.</summary>
    public string FullName => $"{Module}.{Name}";

    /// <inheritdoc />
    public override string ToString() => FullName;
}
