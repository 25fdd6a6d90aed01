using System.Text.Json.Serialization;

namespace Micar.Reports;

/// <summary>
/// What the model did for one image, as plain arrays filled from a decoding trace: the generated tokens and,
/// per decoder layer, cross-attention over the image grid, causal self-attention and mixture-of-experts
/// routing, plus channel-mean maps of the visual feature pyramid. Every trace part is optional (empty arrays
/// draw no figure). Serialisable with <see cref="ReportJson"/>.
/// </summary>
public sealed record ExplainData
{
    /// <summary>The input image.</summary>
    public required ExplainImage Image { get; init; }

    /// <summary>The generated tokens, <c>T</c> of them, in order (figures label rows and columns with them).</summary>
    public required string[] Tokens { get; init; }

    /// <summary>The reference report, if known.</summary>
    public string? Reference { get; init; }

    /// <summary>Rows of the image-token grid that cross-attention attends over (7 for a 7×7 grid).</summary>
    public int GridRows { get; init; }

    /// <summary>Columns of the image-token grid; image token <c>n = row·GridCols + col</c>.</summary>
    public int GridCols { get; init; }

    /// <summary>Cross-attention per decoder layer, <c>[layer][T][heads][N]</c> with <c>N = GridRows·GridCols</c>.</summary>
    public float[][][][] CrossAttention { get; init; } = [];

    /// <summary>
    /// Self-attention per decoder layer, <c>[layer][heads][T][T]</c>: row i is the query that generated token i,
    /// column j the key at decoder input position j.
    /// </summary>
    public float[][][][] SelfAttention { get; init; } = [];

    /// <summary>
    /// Labels of the self-attention key axis: the decoder input at each position, usually the start token followed
    /// by the generated tokens but the last (position j holds the token generated at step j − 1). When null, the
    /// keys are labelled with <see cref="Tokens"/>.
    /// </summary>
    public string[]? SelfAttentionKeys { get; init; }

    /// <summary>Expert routing per decoder layer.</summary>
    public RoutingTrace[] Routing { get; init; } = [];

    /// <summary>Feature-pyramid maps (P2–P5, fused F), each reduced to its channel mean.</summary>
    public FeatureMap[] Pyramid { get; init; } = [];

    /// <summary>The generated report: the tokens joined by spaces.</summary>
    [JsonIgnore]
    public string GeneratedText => string.Join(' ', Tokens);

    /// <summary>Number of attention heads of the cross-attention (0 when there is none).</summary>
    [JsonIgnore]
    public int CrossAttentionHeads => CrossAttention.Length == 0 ? 0 : CrossAttention[0][0].Length;

    /// <summary>Checks every array against the shapes documented on the properties.</summary>
    /// <exception cref="ReportDataException">The first inconsistency, naming its field path.</exception>
    public void Validate()
    {
        if (Image is null)
            throw new ReportDataException("Image", "is missing");
        Image.Validate("Image");
        var t = DataShape.Length(Tokens, -1, "Tokens");
        if (t == 0)
            throw new ReportDataException("Tokens", "is empty: nothing was generated, so there is nothing to explain");
        for (var i = 0; i < t; i++)
            if (Tokens[i] is null)
                throw new ReportDataException($"Tokens[{i}]", "is null");
        ValidateCrossAttention(t);
        ValidateSelfAttention(t);
        ValidateRouting(t);
        DataShape.Length(Pyramid, -1, "Pyramid");
        for (var p = 0; p < Pyramid.Length; p++)
        {
            if (Pyramid[p] is null)
                throw new ReportDataException($"Pyramid[{p}]", "is null");
            if (string.IsNullOrWhiteSpace(Pyramid[p].Name))
                throw new ReportDataException($"Pyramid[{p}].Name", "is empty");
            DataShape.Matrix(Pyramid[p].Values, -1, -1, $"Pyramid[{p}].Values");
        }
    }

    private void ValidateCrossAttention(int t)
    {
        if (DataShape.Length(CrossAttention, -1, "CrossAttention") == 0)
            return;
        if (GridRows <= 0 || GridCols <= 0)
            throw new ReportDataException("GridRows", $"the image grid {GridRows}x{GridCols} must be positive when CrossAttention is given");
        var heads = -1;
        for (var l = 0; l < CrossAttention.Length; l++)
        {
            DataShape.Length(CrossAttention[l], t, $"CrossAttention[{l}]");
            for (var i = 0; i < t; i++)
            {
                var (h, _) = DataShape.Matrix(CrossAttention[l][i], heads, GridRows * GridCols, $"CrossAttention[{l}][{i}]");
                heads = h;
            }
        }
    }

    private void ValidateSelfAttention(int t)
    {
        if (SelfAttentionKeys is not null)
        {
            DataShape.Length(SelfAttentionKeys, t, "SelfAttentionKeys");
            for (var i = 0; i < t; i++)
                if (SelfAttentionKeys[i] is null)
                    throw new ReportDataException($"SelfAttentionKeys[{i}]", "is null");
        }
        DataShape.Length(SelfAttention, -1, "SelfAttention");
        for (var l = 0; l < SelfAttention.Length; l++)
        {
            var heads = DataShape.Length(SelfAttention[l], -1, $"SelfAttention[{l}]");
            if (heads == 0)
                throw new ReportDataException($"SelfAttention[{l}]", "has no heads");
            for (var h = 0; h < heads; h++)
                DataShape.Matrix(SelfAttention[l][h], t, t, $"SelfAttention[{l}][{h}]");
        }
    }

    private void ValidateRouting(int t)
    {
        DataShape.Length(Routing, -1, "Routing");
        for (var l = 0; l < Routing.Length; l++)
        {
            var field = $"Routing[{l}]";
            var r = Routing[l] ?? throw new ReportDataException(field, "is null");
            var experts = DataShape.Length(r.Load, -1, $"{field}.Load");
            if (experts == 0)
                throw new ReportDataException($"{field}.Load", "has no experts");
            for (var e = 0; e < experts; e++)
                if (r.Load[e] < 0)
                    throw new ReportDataException($"{field}.Load[{e}]", $"is negative ({r.Load[e]})");
            DataShape.Matrix(r.Probabilities, t, experts, $"{field}.Probabilities");
            var (_, k) = DataShape.Matrix(r.Chosen, t, -1, $"{field}.Chosen");
            for (var i = 0; i < t; i++)
                for (var j = 0; j < k; j++)
                    if (r.Chosen[i][j] < -1 || r.Chosen[i][j] >= experts)
                        throw new ReportDataException($"{field}.Chosen[{i}][{j}]", $"expert {r.Chosen[i][j]} is outside 0..{experts - 1} (−1: an empty slot)");
        }
    }
}
