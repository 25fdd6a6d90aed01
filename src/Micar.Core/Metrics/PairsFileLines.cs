using System.Buffers;
using System.Text.Unicode;

namespace Micar.Metrics;

/// <summary>
/// The lines of a pairs file as strictly decoded UTF-8: a UTF-8 byte order mark at the start is skipped, a line break
/// is <c>\n</c> (a <c>\r</c> before it stays in the line), a final line break adds no line, invalid UTF-8 and lines
/// over a byte limit are <see cref="FormatException"/>s naming the file and the 1-based line.
/// </summary>
internal static class PairsFileLines
{
    /// <summary>Reads <paramref name="path"/> line by line, holding at most one line in memory.</summary>
    public static IEnumerable<(int Number, string Text)> Read(string path, int maxLineBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var buffer = new byte[1 << 16];
        var line = new byte[Math.Min(maxLineBytes, 4096)];
        int length = 0, number = 1, read;
        bool first = true;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            if (first)
            {
                first = false;
                if (read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) start = 3;
            }
            for (int i = start; i < read; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                Append(ref line, ref length, buffer, start, i - start, maxLineBytes, path, number);
                yield return (number, Decode(line, length, path, number));
                number++;
                length = 0;
                start = i + 1;
            }
            Append(ref line, ref length, buffer, start, read - start, maxLineBytes, path, number);
        }
        if (length > 0) yield return (number, Decode(line, length, path, number));
    }

    private static void Append(ref byte[] line, ref int length, byte[] source, int offset, int count, int max, string path, int number)
    {
        if (count == 0) return;
        if ((long)length + count > max)
            throw new FormatException(
                $"Pairs file '{path}', line {number}: longer than {max} bytes (MetricPairsLimits.MaxLineBytes); "
                + "a pair of real reports is a few kilobytes.");
        if (length + count > line.Length)
            Array.Resize(ref line, (int)Math.Min(max, Math.Max((long)line.Length * 2, length + count)));
        Array.Copy(source, offset, line, length, count);
        length += count;
    }

    private static string Decode(byte[] line, int length, string path, int number)
    {
        var chars = ArrayPool<char>.Shared.Rent(Math.Max(length, 1));
        try
        {
            var status = Utf8.ToUtf16(line.AsSpan(0, length), chars, out int bytesRead, out int written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
                throw new FormatException(
                    $"Pairs file '{path}', line {number}: not valid UTF-8 (byte {bytesRead + 1} of the line, 0x{line[bytesRead]:X2}).");
            return new string(chars, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
