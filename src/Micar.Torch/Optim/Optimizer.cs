namespace Micar.Torch.Optim;

/// <summary>Base of the optimizers: parameter groups, gradient reset and state (de)serialisation.</summary>
public abstract class Optimizer : IDisposable
{
    /// <summary>Creates an optimizer over parameter groups.</summary>
    protected Optimizer(IEnumerable<ParamGroup> groups)
    {
        Groups = groups.ToList();
        if (Groups.Count == 0) throw new ArgumentException("an optimizer needs at least one parameter group");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in Groups)
            foreach (var p in g.Params)
                if (!seen.Add(p)) throw new ArgumentException($"a parameter appears in more than one group (group '{g.Name}')");
    }

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParamGroup> Groups { get; }

    /// <summary>Every parameter, in group order.</summary>
    public IEnumerable<Tensor> Parameters => Groups.SelectMany(g => g.Params);

    /// <summary>Clears gradients: sets them to None (default, like PyTorch 2) or to zero.</summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in Parameters)
        {
            if (setToNone) { p.Grad = null; continue; }
            using var g = p.Grad;
            g?.Zero_();
        }
    }

    /// <summary>Applies one update using the parameters' current gradients.</summary>
    public abstract void Step();

    /// <summary>Optimizer state as named tensors (per parameter index in <see cref="Parameters"/> order) and scalars,
    /// for checkpoints.</summary>
    public abstract (Dictionary<string, Tensor> Tensors, Dictionary<string, double> Scalars) StateDict();

    /// <summary>Restores a state produced by <see cref="StateDict"/>; fails naming the first missing or misshaped key.</summary>
    public abstract void LoadStateDict(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars);

    /// <summary>Releases the state tensors.</summary>
    public virtual void Dispose() { }
}
