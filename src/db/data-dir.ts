import { chmodSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

// The embedded database — every customer's PII and password hash — lives in one folder, which is
// for this process's user only, like PostgreSQL's own data directory (0700). PGlite sets its
// files' modes itself (0666, whatever the umask), so the folder's 0700 is what keeps others out;
// the files are tightened to 0600 as well at start-up and at shutdown. Cost: one walk of the
// folder (≈ 1,000 entries for a fresh database) each time.

/** Every path under `dir` (itself included) that group or others may read, write or enter. */
function loosePaths(dir: string): { path: string; mode: number }[] {
  const found: { path: string; mode: number }[] = [];
  const walk = (path: string) => {
    const stat = statSync(path);
    if ((stat.mode & 0o077) !== 0) found.push({ path, mode: stat.mode & 0o777 });
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(dir);
  return found;
}

/** Removes group and other permissions from everything under `dir`. */
export function tightenDataDir(dir: string): void {
  tighten(loosePaths(dir));
}

const tighten = (paths: { path: string; mode: number }[]) => paths.forEach(({ path, mode }) => chmodSync(path, mode & 0o700));

/**
 * Before opening: a umask of 077 for whatever this process creates, the folder created 0700, and
 * a warning naming up to 20 paths that others could read, write or enter until now (they are
 * tightened right away); null when there were none.
 */
export function secureDataDir(dir: string): string | null {
  process.umask(0o077);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const loose = loosePaths(dir);
  if (loose.length === 0) return null;
  tighten(loose);
  return [
    `WARNING: the embedded database in ${dir} was readable or writable by other users (now tightened to 0700/0600):`,
    ...loose.slice(0, 20).map((p) => `  ${p.path} (${p.mode.toString(8)})`),
    ...(loose.length > 20 ? [`  … and ${loose.length - 20} more`] : []),
    "Check who could read it meanwhile; keep the folder's permissions as they are now (chmod -R go-rwx).",
  ].join("\n");
}
