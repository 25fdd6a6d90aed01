namespace Micar.Data.Images;

/// <summary>
/// Warnings about decoded images that are given once per process (e.g. that 16-bit grey data is clipped to
/// 8 bits), written to <see cref="Sink"/>. Thread-safe.
/// </summary>
public static class ImageWarnings
{
    private static readonly Action<string> StandardError = message => Console.Error.WriteLine(message);
    private static readonly object Gate = new();
    private static readonly HashSet<string> Given = [];
    private static Action<string> _sink = StandardError;

    /// <summary>Where warnings go: one call per warning, the text without a trailing newline. Default: standard error.</summary>
    public static Action<string> Sink
    {
        get { lock (Gate) return _sink; }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (Gate) _sink = value;
        }
    }

    /// <summary>
    /// Forgets which warnings were given and, in the same step, sets <see cref="Sink"/> to
    /// <paramref name="sink"/> (default: standard error) — for tests.
    /// </summary>
    public static void Reset(Action<string>? sink = null)
    {
        lock (Gate)
        {
            Given.Clear();
            _sink = sink ?? StandardError;
        }
    }

    /// <summary>Sends <paramref name="message"/> to <see cref="Sink"/> unless a warning of kind <paramref name="key"/> was already given.</summary>
    internal static void Once(string key, Func<string> message)
    {
        Action<string> sink;
        lock (Gate)
        {
            if (!Given.Add(key))
                return;
            sink = _sink;
        }
        sink(message());
    }
}
