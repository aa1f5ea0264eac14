import { readFileSync } from "node:fs";
import { cpus } from "node:os";

/** One line describing where a benchmark ran, for bench/RESULTS.md. */
export function machine(): string {
  const model = cpus()[0]?.model ?? readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.+)/)?.[1] ?? "unknown CPU";
  const memGiB = Math.round(Number(readFileSync("/proc/meminfo", "utf8").match(/MemTotal:\s+(\d+)/)?.[1] ?? 0) / 1024 / 1024);
  return `${cpus().length} × ${model}, ${memGiB} GiB, Node ${process.version}`;
}
