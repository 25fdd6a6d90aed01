using System.Text;
using System.Text.Json;

namespace Micar.Training;

/// <summary>
/// The layout of a training run folder and the rules every write into it follows:
/// <list type="bullet">
/// <item>no write goes through a symbolic link: <see cref="PathOf"/> refuses a path when it, or any folder between the
/// run root and it, is a link (the run root itself may be a link to a folder);</item>
/// <item>files are replaced atomically (<see cref="WriteAllText"/>: a new file, fsync'd, renamed over the old one);</item>
/// <item>checkpoint folders are replaced atomically (<see cref="PrepareDirectory"/> writes <c>NAME.tmp</c> with the
/// completion marker <see cref="CompleteMarker"/> written and fsync'd last, <see cref="CommitDirectory"/> swaps it in
/// with two renames) and <see cref="RecoverDirectory"/> repairs a swap cut short by a crash.</item>
/// </list>
/// </summary>
public sealed class RunFolder(string root)
{
    /// <summary>The lock file (see <see cref="RunLock"/>); the only entry that does not make a folder non-empty.</summary>
    public const string LockFile = ".lock";
    /// <summary>Written last (and fsync'd) into a prepared folder: its presence means the folder is complete.</summary>
    public const string CompleteMarker = ".complete";
    /// <summary>The run's spec.</summary>
    public const string SpecFile = "spec.json";
    /// <summary>The run's vocabulary folder.</summary>
    public const string VocabDir = "vocab";
    /// <summary>The options the run was trained with.</summary>
    public const string OptionsFile = "train_options.json";
    /// <summary>Explain figures of the run report's gallery.</summary>
    public const string ExplainDir = "explain";
    /// <summary>Default output folder of <c>micar eval</c>.</summary>
    public const string EvalDir = "eval";

    static readonly string[] RunEntries =
        [Trainer.LogFile, Trainer.StepsFile, SpecFile, VocabDir, OptionsFile, Trainer.BestDir, Trainer.LastDir, RunReportBuilder.ReportFile, ExplainDir, EvalDir];

    /// <summary>Every entry that training, evaluation and the run report write (with their <c>.tmp</c> and
    /// <c>.old</c> siblings): what <see cref="Clear"/> removes.</summary>
    public static IEnumerable<string> KnownEntries => RunEntries.SelectMany(e => new[] { e, e + ".tmp", e + ".old" });

    /// <summary>The run folder.</summary>
    public string Root { get; } = root;

    /// <summary>The path of <paramref name="relative"/> (components separated by '/') inside the run.</summary>
    /// <exception cref="RunFolderException">The root is not a folder, or the path or a folder on the way is a
    /// symbolic link.</exception>
    public string PathOf(string relative)
    {
        if (File.Exists(Root)) throw new RunFolderException(Root, $"run folder '{Root}' is a file, not a folder");
        var path = Root;
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path = Path.Combine(path, part);
            if (new FileInfo(path).LinkTarget is { } target)
                throw new RunFolderException(path, $"'{path}' is a symbolic link (to '{target}'); micar never writes through links " +
                    "inside a run folder: remove the link or choose another run folder");
        }
        return path;
    }

    /// <summary>The names in the run folder other than <see cref="LockFile"/> (none when it does not exist).</summary>
    public IReadOnlyList<string> Entries() => Directory.Exists(Root)
        ? Directory.EnumerateFileSystemEntries(Root).Select(e => Path.GetFileName(e)).Where(n => n != LockFile).Order(StringComparer.Ordinal).ToList()
        : [];

    /// <summary>Refuses any symbolic link inside the run folder (at any depth).</summary>
    /// <exception cref="RunFolderException">Names the first link found.</exception>
    public void RefuseLinks()
    {
        if (!Directory.Exists(Root)) { PathOf(""); return; }
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var entry in Directory.EnumerateFileSystemEntries(Root, "*", options))
            PathOf(Path.GetRelativePath(Root, entry).Replace(Path.DirectorySeparatorChar, '/'));
    }

    /// <summary>Replaces <paramref name="relative"/> atomically by <paramref name="text"/> (UTF-8): written to a new
    /// <c>.tmp</c> file, fsync'd, renamed over the old one.</summary>
    public string WriteAllText(string relative, string text)
    {
        var path = PathOf(relative);
        PathOf(relative + ".tmp");                                          // no link in the temporary file's place either
        ReplaceFile(path, tmp =>
        {
            using var f = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            f.Write(new UTF8Encoding(false).GetBytes(text));
        });
        return path;
    }

    /// <summary>Replaces the file at <paramref name="path"/> atomically: <paramref name="write"/> fills a new
    /// <c>PATH.tmp</c>, which is fsync'd and renamed over <paramref name="path"/>, so a reader sees the old file or the
    /// new one, never a part.</summary>
    public static void ReplaceFile(string path, Action<string> write)
    {
        var tmp = path + ".tmp";
        File.Delete(tmp);
        write(tmp);
        Fsync(tmp);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Appends one line to <paramref name="relative"/> and fsyncs it.</summary>
    public void AppendLine(string relative, string line)
    {
        using var f = new FileStream(PathOf(relative), FileMode.Append, FileAccess.Write);
        f.Write(Encoding.UTF8.GetBytes(line + "\n"));
        f.Flush(flushToDisk: true);
    }

    /// <summary>Writes a new version of the folder <paramref name="name"/> into <c>NAME.tmp</c> (emptied first):
    /// <paramref name="write"/> fills it, every file is fsync'd, then <see cref="CompleteMarker"/> (holding
    /// <paramref name="epoch"/>) is written and fsync'd last. The live folder is untouched until <see cref="CommitDirectory"/>.</summary>
    public void PrepareDirectory(string name, Action<string> write, int epoch)
    {
        var tmp = PathOf(name + ".tmp");
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        else File.Delete(tmp);
        Directory.CreateDirectory(tmp);
        write(tmp);
        foreach (var file in Directory.EnumerateFiles(tmp, "*", SearchOption.AllDirectories)) Fsync(file);
        using var f = new FileStream(Path.Combine(tmp, CompleteMarker), FileMode.CreateNew, FileAccess.Write, FileShare.None);
        f.Write(JsonSerializer.SerializeToUtf8Bytes(new Marker(epoch)));
        f.Flush(flushToDisk: true);
    }

    /// <summary>Swaps a prepared <c>NAME.tmp</c> in: <c>NAME</c> → <c>NAME.old</c>, <c>NAME.tmp</c> → <c>NAME</c>,
    /// then deletes <c>NAME.old</c>. A crash between the renames is repaired by <see cref="RecoverDirectory"/>.</summary>
    public void CommitDirectory(string name)
    {
        string dir = PathOf(name), tmp = PathOf(name + ".tmp"), old = PathOf(name + ".old");
        if (CompletedEpoch(tmp) is null) throw new RunFolderException(tmp, $"'{tmp}' is not a complete prepared folder (no {CompleteMarker})");
        if (Directory.Exists(old)) Directory.Delete(old, true);
        if (Directory.Exists(dir)) Directory.Move(dir, old);
        Directory.Move(tmp, dir);
        if (Directory.Exists(old)) Directory.Delete(old, true);
    }

    /// <summary><see cref="PrepareDirectory"/> then <see cref="CommitDirectory"/>.</summary>
    public void ReplaceDirectory(string name, Action<string> write, int epoch)
    {
        PrepareDirectory(name, write, epoch);
        CommitDirectory(name);
    }

    /// <summary>Repairs the folder <paramref name="name"/> after a crash and removes its leftovers: a complete
    /// <c>NAME.tmp</c> that <paramref name="acceptPrepared"/> accepts (given its epoch) is committed; otherwise, when
    /// <c>NAME</c> is missing, <c>NAME.old</c> is put back. Incomplete <c>NAME.tmp</c> and stale <c>NAME.old</c> are
    /// deleted. Returns what was done (null: nothing).</summary>
    public string? RecoverDirectory(string name, Func<int, bool> acceptPrepared)
    {
        string dir = PathOf(name), tmp = PathOf(name + ".tmp"), old = PathOf(name + ".old");
        string? done = null;
        if (CompletedEpoch(tmp) is { } epoch && acceptPrepared(epoch))
        {
            if (!Directory.Exists(dir) && Directory.Exists(old)) Directory.Move(old, dir);   // commit from a consistent start
            CommitDirectory(name);
            done = $"completed the interrupted save of {name}/ (epoch {epoch}) from {name}.tmp/";
        }
        else if (!Directory.Exists(dir) && Directory.Exists(old))
        {
            Directory.Move(old, dir);
            done = $"restored {name}/ from {name}.old/ (an interrupted save)";
        }
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        else File.Delete(tmp);
        if (Directory.Exists(old)) Directory.Delete(old, true);
        return done;
    }

    /// <summary>The epoch in a folder's <see cref="CompleteMarker"/> (null: no marker, the folder is incomplete).</summary>
    public static int? CompletedEpoch(string dir)
    {
        var marker = Path.Combine(dir, CompleteMarker);
        if (!File.Exists(marker)) return null;
        try { return JsonSerializer.Deserialize<Marker>(File.ReadAllBytes(marker))?.Epoch; }
        catch (JsonException) { return null; }
    }

    /// <summary>Deletes every <see cref="KnownEntries">run entry</see> (other files are left alone).</summary>
    public void Clear()
    {
        foreach (var entry in KnownEntries)
        {
            var path = PathOf(entry);
            if (Directory.Exists(path)) Directory.Delete(path, true);
            else File.Delete(path);
        }
    }

    static void Fsync(string file)
    {
        using var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        f.Flush(flushToDisk: true);
    }

    sealed record Marker(int Epoch);
}
