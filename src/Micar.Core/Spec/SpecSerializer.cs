using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Micar.Spec;

/// <summary>
/// Reads and writes <see cref="ModelSpec"/>s as JSON and YAML: camelCase keys (<c>dModel</c>, <c>moe.topK</c>,
/// <c>vision.dV</c>), enums as camelCase strings (<c>silu</c>, <c>perHead</c>), absent fields take their defaults.
/// Reading is strict: an unknown field or a value of the wrong type raises <see cref="SpecFormatException"/> naming
/// the file, the field path and (for YAML) the line.
/// </summary>
public static class SpecSerializer
{
    /// <summary>The System.Text.Json options used for specs.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            WriteIndented = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver
            {
                Modifiers = { RenameDv },
            },
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        o.MakeReadOnly();
        return o;
    }

    /// <summary>Writes d_v as <c>dV</c> (the camelCase policy alone would give <c>dv</c>).</summary>
    private static void RenameDv(JsonTypeInfo info)
    {
        if (info.Type != typeof(VisionSpec)) return;
        foreach (var p in info.Properties)
            if (p.Name == "dv") p.Name = "dV";
    }

    /// <summary>The spec as indented JSON.</summary>
    public static string ToJson(ModelSpec spec) => JsonSerializer.Serialize(spec, JsonOptions);

    /// <summary>The spec as YAML.</summary>
    public static string ToYaml(ModelSpec spec) => YamlJsonBridge.Write(JsonSerializer.SerializeToNode(spec, JsonOptions));

    /// <summary>Reads a spec from JSON text; <paramref name="file"/> labels error messages.</summary>
    /// <exception cref="SpecFormatException">Malformed JSON, an unknown field, a wrongly typed value, or a text past <see cref="SpecLimits.MaxFileBytes"/>.</exception>
    public static ModelSpec FromJson(string json, string file = "<json>")
    {
        CheckLength(json.Length, "characters", file);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new SpecFormatException(file, [new SpecFormatProblem(null, (int?)e.LineNumber + 1, "invalid JSON: " + e.Message)]);
        }
        return FromTree(root, file, null);
    }

    /// <summary>Reads a spec from YAML text; <paramref name="file"/> labels error messages.</summary>
    /// <exception cref="SpecFormatException">Malformed YAML, an unknown field, a wrongly typed value, or a document past one of the <see cref="SpecLimits"/>.</exception>
    public static ModelSpec FromYaml(string yaml, string file = "<yaml>")
    {
        CheckLength(yaml.Length, "characters", file);
        var (root, lines) = YamlJsonBridge.Read(yaml, file);
        return FromTree(root, file, lines);
    }

    /// <summary>Reads a <c>.json</c>, <c>.yaml</c> or <c>.yml</c> file.</summary>
    /// <exception cref="SpecFormatException">The file is malformed, larger than <see cref="SpecLimits.MaxFileBytes"/>, or has another extension.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static ModelSpec Load(string path)
    {
        CheckLength(new FileInfo(path) is { Exists: true } info ? info.Length : throw new FileNotFoundException($"spec file '{path}' does not exist", path), "bytes", path);
        var text = File.ReadAllText(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => FromJson(text, path),
            ".yaml" or ".yml" => FromYaml(text, path),
            var ext => throw new SpecFormatException(path, [new SpecFormatProblem(null, null, $"unknown spec file extension '{ext}' (expected .json, .yaml or .yml)")]),
        };
    }

    /// <summary>Writes a spec as JSON or YAML according to the extension of <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The extension is not .json, .yaml or .yml.</exception>
    public static void Save(ModelSpec spec, string path)
    {
        var text = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => ToJson(spec),
            ".yaml" or ".yml" => ToYaml(spec),
            var ext => throw new ArgumentException($"Cannot save a spec as '{ext}': use .json, .yaml or .yml.", nameof(path)),
        };
        File.WriteAllText(path, text);
    }

    /// <summary>Refuses documents longer than <see cref="SpecLimits.MaxFileBytes"/> before parsing them.</summary>
    private static void CheckLength(long length, string unit, string file)
    {
        if (length > SpecLimits.MaxFileBytes)
        {
            throw new SpecFormatException(file,
                [new SpecFormatProblem(null, null, $"the document has {length} {unit}; spec files are limited to {SpecLimits.MaxFileBytes} bytes")]);
        }
    }

    private static ModelSpec FromTree(JsonNode? root, string file, IReadOnlyDictionary<string, int>? lines)
    {
        if (root is null)
            throw new SpecFormatException(file, [new SpecFormatProblem(null, null, "the document is empty")]);
        var problems = SpecSchemaCheck.Check(root, typeof(ModelSpec), JsonOptions, lines);
        if (problems.Count > 0) throw new SpecFormatException(file, problems);
        try
        {
            return root.Deserialize<ModelSpec>(JsonOptions)
                   ?? throw new SpecFormatException(file, [new SpecFormatProblem(null, null, "the document is null")]);
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : null;
            throw new SpecFormatException(file, [new SpecFormatProblem(field, field is not null && lines is not null && lines.TryGetValue(field, out var l) ? l : null, e.Message)]);
        }
    }
}
