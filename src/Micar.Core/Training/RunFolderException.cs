namespace Micar.Training;

/// <summary>A run folder cannot be used as asked: it holds another run, a symbolic link inside it, or an unfinished
/// state that cannot be resumed. The message names the folder or the path.</summary>
public class RunFolderException(string path, string message, Exception? inner = null) : IOException(message, inner)
{
    /// <summary>The folder or path the problem is about.</summary>
    public string Path { get; } = path;
}

/// <summary>Another process (or another training in this process) holds the run folder's lock.</summary>
public sealed class RunLockedException(string runDir, int? holderPid, Exception? inner = null)
    : RunFolderException(runDir, $"run folder '{runDir}' is in use by another training " +
        (holderPid is { } pid ? $"(process {pid})" : "(process unknown)") +
        $": wait for it to finish, or choose another --out (the lock is {System.IO.Path.Combine(runDir, RunFolder.LockFile)})", inner)
{
    /// <summary>The PID written in the lock file by its holder (null when it could not be read).</summary>
    public int? HolderPid { get; } = holderPid;
}
