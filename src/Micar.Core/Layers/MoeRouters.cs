namespace Micar.Layers;

/// <summary>The routers a <see cref="Moe"/> can name in <see cref="Moe.RouterKind"/> (and specs in <c>moe.router</c>).</summary>
public static class MoeRouters
{
    /// <summary>Makes a router for a MoE of <paramref name="dModel"/>-wide tokens, <paramref name="experts"/> experts and
    /// <paramref name="topK"/> experts per token (or the equivalent capacity), its gate initialised by <paramref name="init"/>.</summary>
    public delegate IMoeRouter Factory(int dModel, int experts, int topK, WeightInit init);

    static readonly (string Name, Factory Create)[] Known =
    [
        (MoeRouter.KindName, (d, e, k, init) => new MoeRouter(d, e, k, init)),
        (ExpertChoiceRouter.KindName, (d, e, k, init) => new ExpertChoiceRouter(d, e, k, init)),
    ];

    /// <summary>The known router names, the default (<see cref="MoeRouter.KindName"/>, the official top-k routing) first.</summary>
    public static IReadOnlyList<string> Names { get; } = Known.Select(r => r.Name).ToArray();

    /// <summary>The router named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No router has that name; the message lists the known ones.</exception>
    public static IMoeRouter Create(string name, int dModel, int experts, int topK, WeightInit init)
    {
        foreach (var (n, create) in Known)
            if (n == name) return create(dModel, experts, topK, init);
        throw new ArgumentException($"MoE router '{name}' is not one of {string.Join(", ", Names)}");
    }
}
