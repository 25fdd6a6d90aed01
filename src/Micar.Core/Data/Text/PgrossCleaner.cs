namespace Micar.Data;

/// <summary>The official PEIR Gross caption cleaner: the text after the last <c>:</c>, stripped, then the
/// <see cref="SentenceCleaner"/>.</summary>
public static class PgrossCleaner
{
    /// <summary>Cleans one PEIR Gross caption.</summary>
    public static string Clean(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        int colon = caption.LastIndexOf(':');
        string tail = colon < 0 ? caption : caption[(colon + 1)..];
        return SentenceCleaner.Clean(PythonText.Strip(tail));
    }
}
