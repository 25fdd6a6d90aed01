using Micar.Model;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Blocks;


/// <summary>Token embedding times √d_model plus the saved sinusoidal table <c>pe.pe</c>, then dropout.</summary>
public static class TextEmbedding
{
    /// <summary>Embeds <paramref name="ids"/> [b, T] at positions <paramref name="offset"/>…offset+T−1 → [b, T, d].</summary>
    public static Tensor Forward(ParamView p, Tensor ids, int dModel, double dropout, ForwardContext ctx, long offset = 0)
    {
        using var scope = Libtorch.NewScope();
        var table = p["embedding.weight"];
        var pe = p["pe.pe"];                                                  // [1, maxLen, d]
        long t = ids.Size(1);
        long maxLen = pe.Size(1);
        if (offset + t > maxLen)
            throw new ArgumentException($"text length {offset + t} exceeds text_seq_len {maxLen} (the pe table has {maxLen} rows)");
        var x = F.Embedding(ids, table).Mul(Math.Sqrt(dModel)).Add(pe.Narrow(1, offset, t));
        return ctx.Dropout(x, dropout).MoveToOuterScope();
    }

    /// <summary>The official sinusoidal table [1, len, d] (sin on even, cos on odd columns), in float32.</summary>
    public static Tensor Sinusoidal(int length, int dModel)
    {
        using var scope = Libtorch.NewScope();
        var position = Libtorch.Arange(0, length, dtype: DType.Float32).Unsqueeze(1);               // [len, 1]
        var i2 = Libtorch.Arange(0, dModel, 2, DType.Float32);                                       // [d/2]
        var div = i2.Mul((float)(-Math.Log(10000.0) / dModel)).Exp();                             // [d/2]
        var angles = position.Mul(div);                                                          // [len, d/2]
        var pe = Libtorch.Stack([angles.Sin(), angles.Cos()], 2).Reshape(1, length, dModel);         // interleaved
        return pe.MoveToOuterScope();
    }
}
