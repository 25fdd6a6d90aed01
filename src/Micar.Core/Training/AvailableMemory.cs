using System.Globalization;

namespace Micar.Training;

/// <summary>The memory a new allocation can still get on this machine: the kernel's <c>MemAvailable</c>, lowered to the
/// room left under the process's cgroup limit (v2 <c>memory.max</c> or v1 <c>memory.limit_in_bytes</c>) when there is one.</summary>
public static class AvailableMemory
{
    /// <summary>Available bytes; on systems without <c>/proc/meminfo</c>, what the .NET runtime reports as available.</summary>
    public static long Bytes()
    {
        long available = FromMeminfo("/proc/meminfo") ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var room = CgroupRoom("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current")
            ?? CgroupRoom("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes");
        return room is { } r ? Math.Min(available, r) : available;
    }

    /// <summary><c>MemAvailable</c> of a meminfo file in bytes, or null when absent.</summary>
    internal static long? FromMeminfo(string path)
    {
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
        {
            if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb)) return kb * 1024;
        }
        return null;
    }

    /// <summary>Limit minus usage of a cgroup, or null when there is no limit ("max", or v1's huge sentinel) or no cgroup file.</summary>
    internal static long? CgroupRoom(string limitPath, string usagePath)
    {
        if (!File.Exists(limitPath) || !File.Exists(usagePath)) return null;
        if (!long.TryParse(File.ReadAllText(limitPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit)) return null;
        if (limit >= 1L << 60) return null;
        if (!long.TryParse(File.ReadAllText(usagePath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var usage)) return null;
        return Math.Max(0, limit - usage);
    }
}
