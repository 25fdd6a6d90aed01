using System.Text.Json;
using System.Text.Json.Serialization;

namespace Micar.Reports;

/// <summary>
/// JSON files of report data (<see cref="ExplainData"/>, <see cref="RunReportData"/>): System.Text.Json with
/// camel-case names, NaN and infinities written as the strings "NaN"/"Infinity" (losses can diverge), and
/// validation after reading.
/// </summary>
public static class ReportJson
{
    /// <summary>The serializer options used for report data.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    /// <summary>The data as JSON text.</summary>
    public static string Serialize<T>(T data) => JsonSerializer.Serialize(data, Options);

    /// <summary>Writes the data as JSON to <paramref name="path"/> (UTF-8, no byte-order mark).</summary>
    public static void Save<T>(T data, string path) => File.WriteAllText(path, Serialize(data), ReportText.Utf8);

    /// <summary>Reads and validates explanation data.</summary>
    /// <exception cref="ReportDataException">The file is not valid JSON of the expected shape (the field is prefixed with the path).</exception>
    public static ExplainData LoadExplain(string path) => Load<ExplainData>(path, d => d.Validate());

    /// <summary>Reads and validates run report data.</summary>
    /// <exception cref="ReportDataException">The file is not valid JSON of the expected shape (the field is prefixed with the path).</exception>
    public static RunReportData LoadRunReport(string path) => Load<RunReportData>(path, d => d.Validate());

    private static T Load<T>(string path, Action<T> validate) where T : class
    {
        ArgumentNullException.ThrowIfNull(path);
        T? data;
        try
        {
            data = JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Options);
        }
        catch (JsonException e)
        {
            throw new ReportDataException($"{path}: {e.Path ?? "$"}", $"not a valid {typeof(T).Name}: {e.Message}");
        }
        if (data is null)
            throw new ReportDataException($"{path}: $", $"holds null instead of a {typeof(T).Name}");
        try
        {
            validate(data);
        }
        catch (ReportDataException e)
        {
            throw new ReportDataException($"{path}: {e.Field}", e.Problem);
        }
        return data;
    }
}
