namespace Micar.Spec;

/// <summary>
/// Bounds on what a spec file may cost to read. Real specs are a few kilobytes with a few hundred values nested
/// three levels deep; the bounds are orders of magnitude above that and far below what would exhaust memory or
/// the stack. A file past any of them is refused with <see cref="SpecFormatException"/> naming it.
/// </summary>
public static class SpecLimits
{
    /// <summary>Largest spec file (JSON or YAML), in bytes; larger files are refused before they are read.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>
    /// Most values (mappings, sequences and scalars) a YAML document may hold once its aliases are expanded.
    /// YAML aliases let a kilobyte describe billions of values ("billion laughs"); counting stops the expansion.
    /// </summary>
    public const int MaxYamlValues = 100_000;

    /// <summary>
    /// Most characters (keys, scalar values and the field paths recorded for error messages) a YAML document may
    /// expand to; bounds aliases of long keys or strings that stay under <see cref="MaxYamlValues"/>.
    /// </summary>
    public const int MaxYamlCharacters = 8 << 20;

    /// <summary>Deepest nesting of mappings and sequences accepted (as System.Text.Json's default for JSON).</summary>
    public const int MaxDepth = 64;
}
