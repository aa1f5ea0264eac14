import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

/** One line describing where a benchmark ran, for bench/RESULTS.md. */
export function machine(): string {
  const model = cpus()[0]?.model ?? readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.+)/)?.[1] ?? "unknown CPU";
  const memGiB = Math.round(Number(readFileSync("/proc/meminfo", "utf8").match(/MemTotal:\s+(\d+)/)?.[1] ?? 0) / 1024 / 1024);
  return `${cpus().length} × ${model}, ${memGiB} GiB, Node ${process.version}`;
}

/**
 * The machine's load during a run: call once at the start; the returned function, called at the
 * end, says how busy the machine was (a run taken on a busy machine says so).
 */
export function loadDuring(): () => string {
  const start = loadavg()[0];
  return () => {
    const loads = `1-minute load average ${start.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end`;
    return start >= 0.5 ? `Machine not idle at the start (${loads}).` : `Idle machine (${loads}).`;
  };
}

/** Appends one section to bench/RESULTS.md (unless NO_RECORD is set). */
export function recordResults(section: string): void {
  if (process.env.NO_RECORD) return;
  const file = new URL("RESULTS.md", import.meta.url);
  if (!existsSync(file)) writeFileSync(file, "# Benchmark results\n\nEach section is appended by its `npm run bench:*` script.\n");
  appendFileSync(file, section);
}

/** CPU seconds of one process by pid from /proc (user + system), 0 when it is gone. */
function processCpuSeconds(pid: number): number {
  try {
    // Fields after the command (which may hold spaces): state is the 3rd field, utime the 14th, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/**
 * Starts counting the CPU time of this process and of the PostgreSQL backends `backends` lists
 * (their pids; the server runs on this machine); the returned function answers both in seconds
 * since the start. The backends are listed at both ends: one that ended in between is not counted.
 */
export async function cpuSplit(
  backends: () => Promise<number[]>,
): Promise<() => Promise<{ nodeSeconds: number; postgresSeconds: number }>> {
  const node0 = process.cpuUsage();
  const start = new Map((await backends()).map((pid) => [pid, processCpuSeconds(pid)]));
  return async () => {
    const node = process.cpuUsage(node0);
    const postgresSeconds = (await backends()).reduce((sum, pid) => sum + processCpuSeconds(pid) - (start.get(pid) ?? 0), 0);
    return { nodeSeconds: (node.user + node.system) / 1e6, postgresSeconds };
  };
}
