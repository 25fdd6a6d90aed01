using System.Text;

namespace Micar.Reports;

/// <summary>Text conventions shared by every file the reports write.</summary>
internal static class ReportText
{
    /// <summary>UTF-8 without a byte-order mark.</summary>
    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
}
