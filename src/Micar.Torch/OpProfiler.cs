using System.Diagnostics;
using System.Globalization;
using System.Text;
using Micar.Torch.Native;

namespace Micar.Torch;

/// <summary>
/// Counts the ATen operators and autograd nodes that run while it is open, with wall time per operator name —
/// the CPU-side table of <c>torch.profiler</c> (<c>key_averages()</c>): calls, inclusive time, and self time
/// (inclusive minus the operators it called, so <c>aten::linear</c>'s self time excludes its <c>aten::addmm</c>).
/// Backward nodes appear under their autograd names (<c>MmBackward0</c>). It also measures the wall time between
/// start and stop and the time spent inside outermost operators, so <see cref="OpProfile.HostTime"/> is what the
/// host (.NET code, marshalling, garbage collection) cost in between. One profiler at a time per process; operators
/// on every thread are counted. On a GPU the times are host-side launch times, not kernel times.
/// <code>
/// var profile = OpProfiler.Profile(() => model.Step());
/// Console.WriteLine(profile.Format(top: 20));
/// </code>
/// </summary>
public sealed class OpProfiler : IDisposable
{
    readonly Stopwatch _wall;
    bool _running;

    OpProfiler()
    {
        _running = true;
        _wall = Stopwatch.StartNew();
    }

    /// <summary>Starts counting. With <paramref name="recordShapes"/> a row is an operator name with its inputs' sizes
    /// (<c>aten::mm [1280, 128] [128, 512]</c>), as torch.profiler's <c>group_by_input_shape</c>; that costs more per
    /// call. With <paramref name="thisThreadOnly"/> only operators the calling thread runs are counted (a CPU backward
    /// pass runs on the caller's thread too), and the profiler must be stopped on that thread. Throws
    /// <see cref="TorchException"/> when another profiler is running.</summary>
    public static OpProfiler Start(bool recordShapes = false, bool thisThreadOnly = false)
    {
        NativeMethods.Check(NativeMethods.mt_profiler_start(recordShapes ? 1 : 0, thisThreadOnly ? 1 : 0));
        return new OpProfiler();
    }

    /// <summary>Runs <paramref name="work"/> under a profiler and returns what it counted.</summary>
    public static OpProfile Profile(Action work, bool recordShapes = false, bool thisThreadOnly = false)
    {
        using var prof = Start(recordShapes, thisThreadOnly);
        work();
        return prof.Stop();
    }

    /// <summary>Stops counting and returns the table, the largest self time first.</summary>
    public OpProfile Stop()
    {
        if (!_running) throw new InvalidOperationException("this profiler was already stopped");
        _running = false;
        var wall = _wall.Elapsed;
        NativeMethods.Check(NativeMethods.mt_profiler_stop(out var p, out long topCalls, out long topNs));
        var rows = new List<OpTiming>();
        foreach (var line in NativeMethods.TakeString(p).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            rows.Add(new OpTiming(f[0], long.Parse(f[1], CultureInfo.InvariantCulture), Ns(f[2]), Ns(f[3])));
        }
        rows.Sort((a, b) => b.Self.CompareTo(a.Self));
        return new OpProfile(rows, wall, topCalls, TimeSpan.FromTicks(topNs / 100));
    }

    static TimeSpan Ns(string s) => TimeSpan.FromTicks(long.Parse(s, CultureInfo.InvariantCulture) / 100);

    /// <summary>Stops the profiler if <see cref="Stop"/> was not called (its counts are discarded).</summary>
    public void Dispose()
    {
        if (!_running) return;
        _running = false;
        if (NativeMethods.mt_profiler_stop(out var p, out _, out _) == 0) NativeMethods.mt_free(p);
    }
}

/// <summary>What an <see cref="OpProfiler"/> counted.</summary>
/// <param name="Rows">One row per operator name, the largest self time first.</param>
/// <param name="Wall">Wall time from start to stop.</param>
/// <param name="OuterCalls">Operators no other operator called: the ones the host asked for (an autograd
/// backward counts its nodes here).</param>
/// <param name="OuterTime">Wall time inside those operators.</param>
public sealed record OpProfile(IReadOnlyList<OpTiming> Rows, TimeSpan Wall, long OuterCalls, TimeSpan OuterTime)
{
    /// <summary>Wall time outside every operator: the host's own work between operator calls.</summary>
    public TimeSpan HostTime => Wall - OuterTime;

    /// <summary>A fixed-width table of the <paramref name="top"/> rows by self time, then the totals.</summary>
    public string Format(int top = 25)
    {
        var sb = new StringBuilder();
        double selfTotal = Rows.Sum(r => r.Self.TotalMilliseconds);
        int width = Math.Max(44, Rows.OrderByDescending(r => r.Self).Take(top).Select(r => r.Name.Length).DefaultIfEmpty(0).Max());
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"operator".PadRight(width)} {"calls",8} {"self ms",10} {"self %",7} {"total ms",10} {"µs/call",9}");
        foreach (var r in Rows.OrderByDescending(r => r.Self).Take(top))
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Name.PadRight(width)} {r.Calls,8} {r.Self.TotalMilliseconds,10:F2} {100 * r.Self.TotalMilliseconds / Math.Max(selfTotal, 1e-9),6:F1}% {r.Total.TotalMilliseconds,10:F2} {r.Total.TotalMilliseconds * 1000 / r.Calls,9:F1}");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"{Rows.Count} operators, {Rows.Sum(r => r.Calls)} calls ({OuterCalls} outermost); wall {Wall.TotalMilliseconds:F2} ms = "
            + $"{OuterTime.TotalMilliseconds:F2} ms in operators + {HostTime.TotalMilliseconds:F2} ms host");
        return sb.ToString();
    }
}

/// <summary>One operator's row: how often it ran, wall time including the operators it called, and without them.</summary>
public readonly record struct OpTiming(string Name, long Calls, TimeSpan Total, TimeSpan Self);
