using System.Runtime.InteropServices;
using System.Text;

namespace Micar.Training;

/// <summary>The exclusive lock of a run folder, <c>RUN/.lock</c>, held for a whole training run. It is an advisory
/// kernel lock (.NET opens the file with <see cref="FileShare.None"/>, which on Linux and macOS takes
/// <c>flock(LOCK_EX | LOCK_NB)</c>), so it dies with its process: a lock file left by a killed run does not block the
/// next one. The holder writes its PID into the file; the file itself is never deleted (deleting it would let two
/// runs lock two different files of the same name).</summary>
public sealed class RunLock : IDisposable
{
    readonly FileStream _stream;

    RunLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock of <paramref name="runDir"/> (which must exist) without waiting.</summary>
    /// <exception cref="RunLockedException">Another holder has it; the message names the folder and the holder's PID.</exception>
    /// <exception cref="RunFolderException"><c>.lock</c> is a symbolic link.</exception>
    public static RunLock Acquire(string runDir)
    {
        var path = new RunFolder(runDir).PathOf(RunFolder.LockFile);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new RunLockedException(runDir, ReadPid(path), e);
        }
        var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        stream.SetLength(0);
        stream.Write(pid);
        stream.Flush(flushToDisk: true);
        return new RunLock(stream);
    }

    /// <summary>Empties the PID and releases the lock.</summary>
    public void Dispose()
    {
        try { _stream.SetLength(0); } catch (IOException) { }
        _stream.Dispose();
    }

    /// <summary>The PID in a lock file held by someone else. Every .NET open of the file would itself ask for a (shared)
    /// lock and fail, so the file is read with the C library directly (Unix only; null elsewhere or on failure).</summary>
    static int? ReadPid(string path)
    {
        if (OperatingSystem.IsWindows()) return null;
        try
        {
            int fd = Native.open(path, 0 /* O_RDONLY */);
            if (fd < 0) return null;
            try
            {
                var buffer = new byte[32];
                nint n = Native.read(fd, buffer, buffer.Length);
                if (n <= 0) return null;
                return int.TryParse(Encoding.ASCII.GetString(buffer, 0, (int)n).Trim(), out int pid) ? pid : null;
            }
            finally { Native.close(fd); }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
    }

    static class Native
    {
        [DllImport("libc", SetLastError = true)] public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
        [DllImport("libc", SetLastError = true)] public static extern nint read(int fd, byte[] buffer, nint count);
        [DllImport("libc")] public static extern int close(int fd);
    }
}
