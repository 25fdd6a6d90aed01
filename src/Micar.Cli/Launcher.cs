using System.Diagnostics;
using System.Net;
using Micar.Torch.Distributed;
using Micar.Training;

namespace Micar.Cli;

/// <summary>
/// Data-parallel training processes, as <c>torchrun</c> starts them: <c>micar train … --nproc N</c> starts N workers on
/// this machine (with <c>--nnodes M --node-rank R --master ADDR:PORT</c> on each of M machines) and gives each the
/// environment a cluster scheduler would: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT.
/// A process started with WORLD_SIZE &gt; 1 in its environment (by this launcher or by a scheduler) is a worker: it joins
/// the Gloo group at MASTER_ADDR:MASTER_PORT. When a worker fails, the launcher stops the others and reports which.
/// </summary>
static class Launcher
{
    /// <summary>The distributed environment of this process (null: not a worker).</summary>
    /// <param name="Rank">RANK: this process's rank, 0 … WorldSize−1.</param>
    /// <param name="WorldSize">WORLD_SIZE: processes in the run.</param>
    /// <param name="LocalRank">LOCAL_RANK: its index on this machine.</param>
    /// <param name="LocalWorldSize">LOCAL_WORLD_SIZE: processes on this machine (they share its cores).</param>
    /// <param name="MasterAddr">MASTER_ADDR: where the rendezvous store is served.</param>
    /// <param name="MasterPort">MASTER_PORT: its port.</param>
    /// <param name="AgentStore">The launcher serves the store (every rank connects as a client); else rank 0 serves it.</param>
    public sealed record Worker(int Rank, int WorldSize, int LocalRank, int LocalWorldSize, string MasterAddr, int MasterPort, bool AgentStore = false);

    /// <summary>Reads RANK, WORLD_SIZE, … when WORLD_SIZE &gt; 1; errors name the variable.</summary>
    public static Worker? FromEnvironment()
    {
        var world = Environment.GetEnvironmentVariable("WORLD_SIZE");
        if (string.IsNullOrEmpty(world) || world == "1") return null;
        int Int(string name, int? fallback = null)
        {
            var v = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(v))
                return fallback ?? throw new UserError($"distributed training: the environment variable {name} is not set (WORLD_SIZE is {world})");
            return int.TryParse(v, out var n) && n >= 0 ? n : throw new UserError($"distributed training: {name}='{v}' is not a non-negative integer");
        }
        int size = Int("WORLD_SIZE"), rank = Int("RANK");
        if (rank >= size) throw new UserError($"distributed training: RANK {rank} must be below WORLD_SIZE {size}");
        int localRank = Int("LOCAL_RANK", 0), localSize = Int("LOCAL_WORLD_SIZE", 1);
        var addr = Environment.GetEnvironmentVariable("MASTER_ADDR");
        if (string.IsNullOrEmpty(addr)) throw new UserError("distributed training: the environment variable MASTER_ADDR is not set");
        int port = Int("MASTER_PORT");
        if (port is < 1 or > 65535) throw new UserError($"distributed training: MASTER_PORT {port} is not a TCP port");
        bool agentStore = string.Equals(Environment.GetEnvironmentVariable(AgentStoreVariable), "True", StringComparison.OrdinalIgnoreCase);
        return new Worker(rank, size, localRank, Math.Max(1, localSize), addr, port, agentStore);
    }

    /// <summary>The store and group a worker joined (disposed together at the end of the run).</summary>
    public sealed class Membership(Store store, ProcessGroup group, bool syncBatchNorm) : IDisposable
    {
        /// <summary>Data-parallel training over the group.</summary>
        public DataParallel Parallel { get; } = new(group) { SyncBatchNorm = syncBatchNorm };

        /// <summary>Leaves the group and closes the store.</summary>
        public void Dispose()
        {
            Parallel.Dispose();
            group.Dispose();
            store.Dispose();
        }
    }

    /// <summary>Joins the group of <paramref name="w"/>: rank 0 (or the launcher, <see cref="Worker.AgentStore"/>) serves the TCP store, every rank connects.
    /// <paramref name="syncBatchNorm"/>: batch norms that train use the global batch's statistics.</summary>
    public static Membership Join(Worker w, TimeSpan timeout, bool syncBatchNorm = false)
    {
        var store = Store.Tcp(w.MasterAddr, w.MasterPort, w.WorldSize, isServer: w.Rank == 0 && !w.AgentStore, timeout);
        try
        {
            bool loopback = IPAddress.TryParse(w.MasterAddr, out var ip) && IPAddress.IsLoopback(ip) || w.MasterAddr == "localhost";
            return new Membership(store, ProcessGroup.Gloo(store, w.Rank, w.WorldSize, timeout, loopback ? "127.0.0.1" : null), syncBatchNorm);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Starts <paramref name="nproc"/> workers of this command line and waits for them; the exit code of the run
    /// (0 when every worker succeeded, else the first failure's).</summary>
    public static int Run(string[] args, int nproc, int nnodes, int nodeRank, string? master, Action<string> log, TimeSpan timeout)
    {
        var (addr, port) = ParseMaster(master, nnodes);
        int world = nnodes * nproc;
        var workers = new List<(int Rank, Process Process)>();
        // Node 0's launcher serves the rendezvous store itself for as long as its workers run (as torchrun's agent does):
        // on one machine it listens on a port the system picks, so no other process can take the port before the
        // workers start; the workers, rank 0 included, connect to it as clients.
        using var store = nodeRank == 0 ? HostStore(addr, port, world, timeout) : null;
        if (store is not null) port = store.Port;
        try
        {
            for (int local = 0; local < nproc; local++)
            {
                int rank = nodeRank * nproc + local;
                var psi = StartInfo(args);
                psi.Environment["RANK"] = rank.ToString();
                psi.Environment["WORLD_SIZE"] = world.ToString();
                psi.Environment["LOCAL_RANK"] = local.ToString();
                psi.Environment["LOCAL_WORLD_SIZE"] = nproc.ToString();
                psi.Environment["MASTER_ADDR"] = addr;
                psi.Environment["MASTER_PORT"] = port.ToString();
                psi.Environment[AgentStoreVariable] = "True";
                workers.Add((rank, Process.Start(psi) ?? throw new InvalidOperationException($"could not start worker {rank}")));
            }
            log($"started {nproc} worker(s) (ranks {nodeRank * nproc}–{nodeRank * nproc + nproc - 1} of {world}), rendezvous {addr}:{port}");
            var running = workers.ToList();
            while (running.Count > 0)
            {
                Task.WaitAny([.. running.Select(w => w.Process.WaitForExitAsync())]);
                foreach (var w in running.Where(w => w.Process.HasExited).ToList())
                {
                    running.Remove(w);
                    if (w.Process.ExitCode == 0) continue;
                    foreach (var other in running) Stop(other.Process);
                    Console.Error.WriteLine($"micar: worker {w.Rank} (pid {w.Process.Id}) exited with code {w.Process.ExitCode}; " +
                        $"stopped the other {running.Count} worker(s) on this machine");
                    return w.Process.ExitCode;
                }
            }
            return 0;
        }
        finally
        {
            foreach (var w in workers) { Stop(w.Process); w.Process.Dispose(); }
        }
    }

    /// <summary>Set (to True) for workers whose launcher serves the store: every rank connects as a client (torchrun's
    /// name for it).</summary>
    public const string AgentStoreVariable = "TORCHELASTIC_USE_AGENT_STORE";

    static Store HostStore(string addr, int port, int world, TimeSpan timeout)
    {
        try { return Store.Tcp(addr, port, world, isServer: true, timeout); }
        catch (DistributedException e) { throw new UserError($"distributed training: cannot serve the rendezvous at {addr}:{port}: {e.Message}"); }
    }

    static void Stop(Process p)
    {
        try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    /// <summary>This program again, with the same arguments (workers inherit the console).</summary>
    static ProcessStartInfo StartInfo(string[] args)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var self = typeof(Launcher).Assembly.Location;
        bool viaDotnet = Path.GetFileNameWithoutExtension(host) != Path.GetFileNameWithoutExtension(self);
        var psi = new ProcessStartInfo(viaDotnet && Path.GetFileNameWithoutExtension(host) != "dotnet" ? "dotnet" : host) { UseShellExecute = false };
        if (viaDotnet) psi.ArgumentList.Add(self);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    static (string Addr, int Port) ParseMaster(string? master, int nnodes)
    {
        if (string.IsNullOrEmpty(master))
        {
            if (nnodes > 1) throw new UserError("--nnodes > 1 needs --master ADDR:PORT (the address of node 0, reachable from every node)");
            return ("127.0.0.1", 0);                                          // the system picks the port when the store binds
        }
        int colon = master.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(master[(colon + 1)..], out var port) || port is < 1 or > 65535)
            throw new UserError($"--master '{master}' must be ADDR:PORT with a TCP port (e.g. 10.0.0.1:29500)");
        return (master[..colon], port);
    }
}
