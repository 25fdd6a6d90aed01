using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Micar.Data;

/// <summary>
/// JSON text as Python's <c>json.dump</c> writes it with default arguments (<c>ensure_ascii=True</c>,
/// separators <c>", "</c> and <c>": "</c>, no indentation, no trailing newline), and ordered reading of flat
/// JSON objects (Python's <c>dict</c> keeps document order).
/// </summary>
public static class PythonJson
{
    /// <summary>Appends <paramref name="s"/> as a JSON string literal escaped like Python's
    /// <c>json.dumps(s)</c>: <c>\"</c>, <c>\\</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\b</c>, <c>\f</c>, and
    /// every other code unit outside U+0020–U+007E as <c>\uXXXX</c> with lower-case hex digits (supplementary
    /// characters as their two surrogates).</summary>
    public static void AppendString(StringBuilder sb, string s)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(s);
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < ' ' || c > '~') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>Serialises an ordered <c>{string: int}</c> object exactly as <c>json.dump</c> does.</summary>
    public static string SerializeObject(IEnumerable<KeyValuePair<string, int>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var sb = new StringBuilder();
        sb.Append('{');
        bool first = true;
        foreach (var (key, value) in entries)
        {
            if (!first) sb.Append(", ");
            first = false;
            AppendString(sb, key);
            sb.Append(": ").Append(value.ToString(CultureInfo.InvariantCulture));
        }
        return sb.Append('}').ToString();
    }

    /// <summary>Serialises an ordered <c>{string: string}</c> object exactly as <c>json.dump</c> does.</summary>
    public static string SerializeObject(IEnumerable<KeyValuePair<string, string>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var sb = new StringBuilder();
        sb.Append('{');
        bool first = true;
        foreach (var (key, value) in entries)
        {
            if (!first) sb.Append(", ");
            first = false;
            AppendString(sb, key);
            sb.Append(": ");
            AppendString(sb, value);
        }
        return sb.Append('}').ToString();
    }

    /// <summary>
    /// Reads the members of a top-level JSON object in document order (duplicates included, as they occur).
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">The file or resource name used in error messages.</param>
    /// <exception cref="InvalidDataException">The text is not JSON or its top level is not an object.</exception>
    public static List<KeyValuePair<string, JsonElement>> ReadObjectMembers(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: expected a JSON object at the top level, found {doc.RootElement.ValueKind}");
            var members = new List<KeyValuePair<string, JsonElement>>();
            foreach (var p in doc.RootElement.EnumerateObject())
                members.Add(new(p.Name, p.Value.Clone()));
            return members;
        }
    }
}
