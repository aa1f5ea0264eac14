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
