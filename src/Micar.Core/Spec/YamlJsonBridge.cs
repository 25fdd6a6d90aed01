using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Micar.Spec;

/// <summary>
/// Converts between YAML documents and JSON trees so that both formats share one strict reader. Plain YAML
/// scalars are typed by the YAML 1.2 core schema (null, true/false, integers, floats; everything else is a string);
/// quoted scalars are strings.
/// </summary>
internal static partial class YamlJsonBridge
{
    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    /// <summary>
    /// Parses YAML into a JSON tree, recording the 1-based line of each field path. The nesting depth is checked
    /// on the parser's events before the document is built (building recurses), and aliases are expanded under the
    /// budget of <see cref="SpecLimits"/>, so a hostile document fails early instead of exhausting the stack or memory.
    /// </summary>
    public static (JsonNode? Root, Dictionary<string, int> Lines) Read(string yaml, string file)
    {
        var stream = new YamlStream();
        try
        {
            CheckDepth(yaml, file);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new SpecFormatException(file, [new SpecFormatProblem(null, (int)e.Start.Line, "invalid YAML: " + e.Message)]);
        }
        catch (InvalidOperationException e) // YamlDotNet's scanner throws this on some malformed flow collections
        {
            throw new SpecFormatException(file, [new SpecFormatProblem(null, null, "invalid YAML: " + e.Message)]);
        }
        if (stream.Documents.Count != 1)
            throw new SpecFormatException(file, [new SpecFormatProblem(null, null, $"expected one YAML document, found {stream.Documents.Count}")]);
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        return (Convert(stream.Documents[0].RootNode, "", lines, new ExpansionBudget(file)), lines);
    }

    /// <summary>Refuses mappings and sequences nested deeper than <see cref="SpecLimits.MaxDepth"/>, from the parser's events alone.</summary>
    private static void CheckDepth(string yaml, string file)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (++depth > SpecLimits.MaxDepth)
                    {
                        throw new SpecFormatException(file,
                            [new SpecFormatProblem(null, (int)parser.Current.Start.Line, $"mappings and sequences are nested more than {SpecLimits.MaxDepth} levels deep")]);
                    }
                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    /// <summary>Counts the values and characters produced while aliases are expanded, and stops at the first excess.</summary>
    private sealed class ExpansionBudget(string file)
    {
        private long _values;
        private long _characters;

        public string File { get; } = file;

        public void Take(YamlNode node, string path, int characters)
        {
            if (++_values > SpecLimits.MaxYamlValues)
                throw Exceeded(node, path, $"the document expands to more than {SpecLimits.MaxYamlValues} values (through YAML aliases?)");
            _characters += characters;
            if (_characters > SpecLimits.MaxYamlCharacters)
                throw Exceeded(node, path, $"the document expands to more than {SpecLimits.MaxYamlCharacters} characters of keys and values (through YAML aliases?)");
        }

        private SpecFormatException Exceeded(YamlNode node, string path, string message) =>
            new(File, [new SpecFormatProblem(path.Length == 0 ? null : path, (int)node.Start.Line, message)]);
    }

    private static JsonNode? Convert(YamlNode node, string path, Dictionary<string, int> lines, ExpansionBudget budget)
    {
        var file = budget.File;
        budget.Take(node, path, path.Length + (node is YamlScalarNode { Value: { } v } ? v.Length : 0));
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in map.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                        throw new SpecFormatException(file, [new SpecFormatProblem(path.Length == 0 ? null : path, (int)keyNode.Start.Line, "mapping keys must be plain strings")]);
                    var child = path.Length == 0 ? key : path + "." + key;
                    lines[child] = (int)keyNode.Start.Line;
                    if (obj.ContainsKey(key))
                        throw new SpecFormatException(file, [new SpecFormatProblem(child, (int)keyNode.Start.Line, "duplicate key")]);
                    obj[key] = Convert(valueNode, child, lines, budget);
                }
                return obj;
            case YamlSequenceNode seq:
                var arr = new JsonArray();
                var i = 0;
                foreach (var item in seq.Children) arr.Add(Convert(item, $"{path}[{i++}]", lines, budget));
                return arr;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new SpecFormatException(file, [new SpecFormatProblem(path, (int)node.Start.Line, $"unsupported YAML node {node.NodeType}")]);
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain) return JsonValue.Create(text);
        return ResolvePlain(text) switch
        {
            PlainKind.Null => null,
            PlainKind.Bool => JsonValue.Create(text is "true" or "True" or "TRUE"),
            PlainKind.Integer when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
            PlainKind.Integer or PlainKind.Float => JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)),
            _ => JsonValue.Create(text),
        };
    }

    private enum PlainKind { Null, Bool, Integer, Float, String }

    private static PlainKind ResolvePlain(string text) => text switch
    {
        "" or "~" or "null" or "Null" or "NULL" => PlainKind.Null,
        "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => PlainKind.Bool,
        _ when IntegerPattern().IsMatch(text) => PlainKind.Integer,
        _ when FloatPattern().IsMatch(text) => PlainKind.Float,
        _ => PlainKind.String,
    };

    /// <summary>Writes a JSON tree as a YAML document (block style; strings quoted only where they would read back as something else).</summary>
    public static string Write(JsonNode? root)
    {
        var doc = new YamlDocument(ToYaml(root));
        var stream = new YamlStream(doc);
        var sw = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(sw, assignAnchors: false);
        var text = sw.ToString();
        // YamlStream ends the document with an explicit "..." marker; a spec file is a single bare document.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text.EndsWith("..." + Environment.NewLine, StringComparison.Ordinal) ? text[..^(3 + Environment.NewLine.Length)] : text;
    }

    private static YamlNode ToYaml(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return new YamlScalarNode("null") { Style = ScalarStyle.Plain };
            case JsonObject obj:
                var map = new YamlMappingNode();
                foreach (var (k, v) in obj) map.Add(new YamlScalarNode(k), ToYaml(v));
                return map;
            case JsonArray arr:
                var seq = new YamlSequenceNode();
                foreach (var v in arr) seq.Add(ToYaml(v));
                return seq;
            default:
                var value = node.AsValue();
                if (value.GetValueKind() == System.Text.Json.JsonValueKind.String)
                {
                    var s = value.GetValue<string>();
                    return new YamlScalarNode(s) { Style = ResolvePlain(s) == PlainKind.String ? ScalarStyle.Any : ScalarStyle.DoubleQuoted };
                }
                return new YamlScalarNode(value.ToJsonString()) { Style = ScalarStyle.Plain };
        }
    }
}
