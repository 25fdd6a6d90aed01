namespace Micar.Torch.Optim;

/// <summary>A set of parameters that share hyperparameters (PyTorch's <c>param_groups</c> entry).</summary>
public sealed class ParamGroup
{
    /// <summary>Creates a group.</summary>
    public ParamGroup(IEnumerable<Tensor> parameters, double lr, double? weightDecay = null, string name = "")
    {
        Params = parameters.ToList();
        Lr = lr;
        InitialLr = lr;
        WeightDecay = weightDecay;
        Name = name;
    }

    /// <summary>The parameters (leaf tensors with <c>RequiresGrad</c>).</summary>
    public IReadOnlyList<Tensor> Params { get; }
    /// <summary>Current learning rate (schedulers change it).</summary>
    public double Lr { get; set; }
    /// <summary>Learning rate the group started with.</summary>
    public double InitialLr { get; }
    /// <summary>Weight decay of this group; null uses the optimizer's.</summary>
    public double? WeightDecay { get; set; }
    /// <summary>A label for logs (e.g. <c>vision</c>, <c>rest</c>).</summary>
    public string Name { get; }
}
