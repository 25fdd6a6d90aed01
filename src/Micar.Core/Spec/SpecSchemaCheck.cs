using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Micar.Spec;

/// <summary>
/// Checks a JSON tree against the spec records before deserialising it: unknown fields and values of the
/// wrong type are reported with their field paths (the property names come from the serializer's own metadata).
/// </summary>
internal static class SpecSchemaCheck
{
    private static readonly NullabilityInfoContext Nullability = new();

    public static List<SpecFormatProblem> Check(JsonNode? root, Type type, JsonSerializerOptions options, IReadOnlyDictionary<string, int>? lines)
    {
        var problems = new List<SpecFormatProblem>();
        void Problem(string path, string message) =>
            problems.Add(new SpecFormatProblem(path.Length == 0 ? null : path, lines is not null && lines.TryGetValue(path, out var l) ? l : null, message));

        void Visit(JsonNode? node, Type t, bool nullable, string path)
        {
            var underlying = Nullable.GetUnderlyingType(t);
            if (node is null)
            {
                if (!nullable && underlying is null) Problem(path, $"must not be null (expected {Describe(t, options)})");
                return;
            }
            t = underlying ?? t;
            var kind = node.GetValueKind();
            var text = node.ToJsonString();
            if (t == typeof(int) || t == typeof(long))
            {
                var ok = kind == JsonValueKind.Number && (t == typeof(int)
                    ? int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                    : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _));
                if (!ok) Problem(path, $"expected {Describe(t, options)}, got {text}");
            }
            else if (t == typeof(double))
            {
                if (kind != JsonValueKind.Number) Problem(path, $"expected a number, got {text}");
            }
            else if (t == typeof(bool))
            {
                if (kind is not (JsonValueKind.True or JsonValueKind.False)) Problem(path, $"expected true or false, got {text}");
            }
            else if (t == typeof(string))
            {
                if (kind != JsonValueKind.String) Problem(path, $"expected a string, got {text}");
            }
            else if (t.IsEnum)
            {
                var names = EnumNames(t, options);
                if (kind != JsonValueKind.String || !names.Contains(node.GetValue<string>(), StringComparer.OrdinalIgnoreCase))
                    Problem(path, $"expected one of {string.Join(", ", names)}, got {text}");
            }
            else if (kind != JsonValueKind.Object)
            {
                Problem(path, $"expected an object ({t.Name}), got {text}");
            }
            else
            {
                var info = options.GetTypeInfo(t);
                var props = info.Properties.Where(p => p.Set is not null).ToDictionary(p => p.Name, StringComparer.Ordinal);
                foreach (var (key, value) in node.AsObject())
                {
                    var child = path.Length == 0 ? key : path + "." + key;
                    if (!props.TryGetValue(key, out var prop))
                    {
                        Problem(child, $"unknown field; {t.Name} has {string.Join(", ", props.Keys)}");
                        continue;
                    }
                    Visit(value, prop.PropertyType, IsNullable(prop), child);
                }
            }
        }

        Visit(root, type, false, "");
        return problems;
    }

    private static bool IsNullable(JsonPropertyInfo prop) =>
        prop.AttributeProvider is PropertyInfo pi && Nullability.Create(pi).WriteState == NullabilityState.Nullable;

    private static IReadOnlyList<string> EnumNames(Type t, JsonSerializerOptions options) =>
        Enum.GetNames(t).Select(n => JsonSerializer.Serialize(Enum.Parse(t, n), t, options).Trim('"')).ToList();

    private static string Describe(Type t, JsonSerializerOptions options) =>
        t == typeof(int) ? "an integer (32-bit)"
        : t == typeof(long) ? "an integer (64-bit)"
        : t == typeof(double) ? "a number"
        : t == typeof(bool) ? "true or false"
        : t == typeof(string) ? "a string"
        : t.IsEnum ? "one of " + string.Join(", ", EnumNames(t, options))
        : "an object";
}
