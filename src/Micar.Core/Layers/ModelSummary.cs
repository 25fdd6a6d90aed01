using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Micar.Layers;

/// <summary>
/// A per-block table of a description for given input shapes — path, kind, output shape, parameters, FLOPs —
/// and totals; rendered as plain text (<see cref="ToText"/>) or JSON (<see cref="ToJson"/>).
/// </summary>
/// <param name="Name">What is summarised (e.g. the spec name).</param>
/// <param name="Inputs">Input shapes.</param>
/// <param name="Output">Output shape of the root.</param>
/// <param name="Rows">Blocks in state-dict (pre-)order, the root first.</param>
/// <param name="Totals">Totals.</param>
public sealed record ModelSummary(string Name, IReadOnlyList<Shape> Inputs, Shape Output, IReadOnlyList<SummaryRow> Rows, SummaryTotals Totals)
{
    /// <summary>Traces <paramref name="root"/> on <paramref name="inputs"/> and tabulates every block.</summary>
    /// <exception cref="ShapeException">The inputs do not fit.</exception>
    public static ModelSummary Of(ILayer root, IReadOnlyList<Shape> inputs, string name = "")
    {
        var tracer = new ShapeTracer();
        var output = tracer.Run(root, inputs);
        var rows = new List<SummaryRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in root.Walk())
        {
            if (!seen.Add(node.Path)) continue; // a transparent wrapper's child shares its path
            var trace = tracer.Find(node.Path);
            rows.Add(new SummaryRow(node.Path, node.Depth, node.Layer.Kind, trace is { Calls: > 0 } ? trace.Output : null,
                node.Layer.ParameterCount(), tracer.FlopsUnder(node.Path)));
        }
        var all = root.Parameters().ToList();
        var totals = new SummaryTotals(
            all.Where(p => p.Kind.IsParameter()).Sum(p => p.Numel),
            all.Where(p => p.Kind == ParamKind.Param).Sum(p => p.Numel),
            all.Where(p => p.Kind == ParamKind.FrozenParam).Sum(p => p.Numel),
            all.Where(p => p.Kind == ParamKind.Buffer).Sum(p => p.Numel),
            all.Count,
            tracer.TotalFlops);
        return new ModelSummary(name, inputs, output, rows, totals);
    }

    /// <summary>The row of a path, or null.</summary>
    public SummaryRow? Row(string path) => Rows.FirstOrDefault(r => r.Path == path);

    /// <summary>A plain-text table of the rows down to <paramref name="maxDepth"/>, then the totals.</summary>
    public string ToText(int maxDepth = 3)
    {
        var shown = Rows.Where(r => r.Depth <= maxDepth).ToList();
        string PathText(SummaryRow r) => new string(' ', 2 * r.Depth) + (r.Path.Length == 0 ? "(model)" : r.Path);
        var cells = shown.Select(r => new[]
        {
            PathText(r), r.Kind, r.OutputShape?.ToString() ?? "-", Thousands(r.Parameters), Si(r.Flops),
        }).ToList();
        string[] header = ["path", "kind", "output", "params", "FLOPs"];
        var widths = Enumerable.Range(0, header.Length)
            .Select(i => cells.Select(c => c[i].Length).Append(header[i].Length).Max()).ToArray();
        var sb = new StringBuilder();
        if (Name.Length > 0) sb.Append(Name).Append(": ");
        sb.Append("inputs ").Append(string.Join(", ", Inputs)).Append(" -> ").Append(Output).AppendLine();
        void Line(string[] c)
        {
            for (var i = 0; i < c.Length; i++)
            {
                var right = i >= 3;
                sb.Append(right ? c[i].PadLeft(widths[i]) : c[i].PadRight(widths[i]));
                sb.Append(i == c.Length - 1 ? "" : "  ");
            }
            sb.AppendLine();
        }
        Line(header);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var c in cells) Line(c);
        var t = Totals;
        sb.Append("parameters ").Append(Thousands(t.Parameters))
          .Append(" (trainable ").Append(Thousands(t.Trainable)).Append(", frozen ").Append(Thousands(t.Frozen))
          .Append("); buffers ").Append(Thousands(t.BufferElements)).Append(" elements; ")
          .Append(t.Keys.ToString(CultureInfo.InvariantCulture)).Append(" state-dict keys").AppendLine();
        sb.Append("forward FLOPs ").Append(Thousands(t.Flops)).Append(" (").Append(Si(t.Flops)).Append(')').AppendLine();
        return sb.ToString();
    }

    /// <summary>
    /// JSON: <c>{ name, inputs, output, totals: {…}, rows: [{ path, depth, kind, outputShape, parameters, flops }] }</c>,
    /// shapes as arrays of integers (null where a block is never called).
    /// </summary>
    public string ToJson(bool indented = true)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            w.WriteString("name", Name);
            w.WriteStartArray("inputs");
            foreach (var s in Inputs) WriteShape(w, s);
            w.WriteEndArray();
            w.WritePropertyName("output");
            WriteShape(w, Output);
            w.WriteStartObject("totals");
            w.WriteNumber("parameters", Totals.Parameters);
            w.WriteNumber("trainable", Totals.Trainable);
            w.WriteNumber("frozen", Totals.Frozen);
            w.WriteNumber("bufferElements", Totals.BufferElements);
            w.WriteNumber("keys", Totals.Keys);
            w.WriteNumber("flops", Totals.Flops);
            w.WriteEndObject();
            w.WriteStartArray("rows");
            foreach (var r in Rows)
            {
                w.WriteStartObject();
                w.WriteString("path", r.Path);
                w.WriteNumber("depth", r.Depth);
                w.WriteString("kind", r.Kind);
                w.WritePropertyName("outputShape");
                if (r.OutputShape is null) w.WriteNullValue();
                else WriteShape(w, r.OutputShape);
                w.WriteNumber("parameters", r.Parameters);
                w.WriteNumber("flops", r.Flops);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteShape(Utf8JsonWriter w, Shape s)
    {
        w.WriteStartArray();
        foreach (var d in s) w.WriteNumberValue(d);
        w.WriteEndArray();
    }

    private static string Thousands(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>FLOPs with an SI prefix, e.g. <c>236.80 G</c>.</summary>
    private static string Si(long n) => n switch
    {
        >= 1_000_000_000_000 => (n / 1e12).ToString("F2", CultureInfo.InvariantCulture) + " T",
        >= 1_000_000_000 => (n / 1e9).ToString("F2", CultureInfo.InvariantCulture) + " G",
        >= 1_000_000 => (n / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " M",
        >= 1_000 => (n / 1e3).ToString("F2", CultureInfo.InvariantCulture) + " K",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };
}
